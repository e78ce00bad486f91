import Foundation
import SwitchyardTensor

/// ONNX `CausalConvWithState` (opset 27): a depthwise causal 1-D convolution over
/// `[batch, channels, length]` with weight `[channels, 1, k]`, left-padded by `past_state`
/// (`[batch, channels, k − 1]`, zeros when omitted), optionally followed by SiLU. The second
/// output is the last `k − 1` padded input steps, the state for the next call.
enum CausalConvWithState {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "CausalConvWithState"
        let input = try context.input(0), weight = try context.input(1)
        let x = try FloatingValues.read(input, op: op, input: "input")
        let w = try FloatingValues.read(weight, op: op, input: "weight")
        guard input.rank == 3, weight.rank == 3, weight.shape[0] == input.shape[1], weight.shape[1] == 1, weight.shape[2] >= 1 else {
            throw .invalidArgument("\(op): input must be [batch, channels, length] and weight [channels, 1, k], got \(input.shape) and \(weight.shape)")
        }
        let (batch, channels, length, k) = (input.shape[0], input.shape[1], input.shape[2], weight.shape[2])
        var bias = [Double](repeating: 0, count: channels)
        if let b = context.optionalInput(2) {
            guard b.shape == [channels] else { throw .invalidArgument("\(op): bias must be [\(channels)], got \(b.shape)") }
            bias = try FloatingValues.read(b, op: op, input: "bias")
        }
        var past = [Double](repeating: 0, count: batch * channels * (k - 1))
        if let state = context.optionalInput(3) {
            guard state.shape == [batch, channels, k - 1] else {
                throw .invalidArgument("\(op): past_state must be [\(batch), \(channels), \(k - 1)], got \(state.shape)")
            }
            past = try FloatingValues.read(state, op: op, input: "past_state")
        }
        let activation = try context.string("activation", default: "none")
        guard ["none", "silu", "swish"].contains(activation) else {
            throw .invalidArgument("\(op): activation '\(activation)' is not none, silu or swish")
        }
        let type = input.dataType
        let paddedLength = length + k - 1
        var output = [Double](repeating: 0, count: batch * channels * length)
        var present = [Double](repeating: 0, count: batch * channels * (k - 1))
        for row in 0..<(batch * channels) {
            let channel = row % channels
            let padded = Array(past[(row * (k - 1))..<((row + 1) * (k - 1))]) + x[(row * length)..<((row + 1) * length)]
            for t in 0..<length {
                var sum = bias[channel]
                for tap in 0..<k { sum += w[channel * k + tap] * padded[t + tap] }
                var value = FloatingValues.rounded(sum, to: type)
                if activation != "none" { value = value / (1 + exp(-value)) }
                output[row * length + t] = value
            }
            for step in 0..<(k - 1) { present[row * (k - 1) + step] = padded[paddedLength - (k - 1) + step] }
        }
        return [Tensor(dataType: type, shape: input.shape, doubles: output),
                Tensor(dataType: type, shape: [batch, channels, k - 1], doubles: present)]
    }
}
