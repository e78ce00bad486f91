import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A configuration of one RNN, GRU or LSTM node for a test.
struct RecurrentCase: Sendable, CustomTestStringConvertible {
    var op: String
    var direction = "forward"
    var layout = 0
    var withBias = false, withLengths = false, withInitial = false, withPeepholes = false
    var linearBeforeReset = 0, inputForget = 0
    var clip: Float?
    var activations: [String]?
    var alphas: [Float]?, betas: [Float]?
    var type = DataType.float32
    var testDescription: String {
        "\(op) \(direction) layout \(layout)\(withBias ? " B" : "")\(withLengths ? " lens" : "")"
            + "\(withInitial ? " init" : "")\(withPeepholes ? " P" : "")\(linearBeforeReset != 0 ? " lbr" : "")"
            + "\(inputForget != 0 ? " coupled" : "")\(clip.map { " clip \($0)" } ?? "")"
            + "\(activations.map { " \($0)" } ?? "") \(type)"
    }
}

@Suite struct RecurrentKernelTests {
    typealias F = NormRNNFixtures
    static let (sequenceLength, batch, inputSize, hidden) = (4, 3, 2, 3)

    static let cases: [RecurrentCase] = [
        RecurrentCase(op: "RNN"),
        RecurrentCase(op: "RNN", direction: "reverse", withBias: true, withLengths: true, withInitial: true),
        RecurrentCase(op: "RNN", direction: "bidirectional", layout: 1, withBias: true, withLengths: true,
                      activations: ["Relu", "Tanh"]),
        RecurrentCase(op: "RNN", withBias: true, clip: 0.5, activations: ["Affine"], alphas: [0.7], betas: [0.1]),
        RecurrentCase(op: "RNN", direction: "bidirectional", withBias: true, withInitial: true, type: .float64),
        RecurrentCase(op: "GRU"),
        RecurrentCase(op: "GRU", withBias: true, withInitial: true, linearBeforeReset: 1),
        RecurrentCase(op: "GRU", direction: "reverse", layout: 1, withBias: true, withLengths: true),
        RecurrentCase(op: "GRU", direction: "bidirectional", withBias: true, withLengths: true, withInitial: true,
                      linearBeforeReset: 1, activations: ["HardSigmoid", "Softsign", "Sigmoid", "ScaledTanh"],
                      alphas: [0.3, 0.8], betas: [0.4, 1.2]),
        RecurrentCase(op: "GRU", withBias: true, clip: 0.8, type: .float16),
        RecurrentCase(op: "LSTM"),
        RecurrentCase(op: "LSTM", withBias: true, withLengths: true, withInitial: true, withPeepholes: true),
        RecurrentCase(op: "LSTM", direction: "reverse", withBias: true, withPeepholes: true, inputForget: 1),
        RecurrentCase(op: "LSTM", direction: "bidirectional", layout: 1, withBias: true, withLengths: true,
                      withInitial: true, withPeepholes: true, clip: 1.0),
        RecurrentCase(op: "LSTM", direction: "bidirectional", withBias: true,
                      activations: ["Sigmoid", "Elu", "Softplus", "LeakyRelu", "Tanh", "ThresholdedRelu"],
                      alphas: [0.9]),
        RecurrentCase(op: "LSTM", direction: "bidirectional", withInitial: true,
                      activations: ["HardSigmoid", "Tanh", "Relu"]),
        RecurrentCase(op: "LSTM", withBias: true, withInitial: true, type: .bfloat16),
    ]

    /// The test's own activation functions; alpha and beta are taken in order by the functions
    /// that use them, defaults otherwise.
    static func activation(_ name: String, alphas: inout ArraySlice<Float>, betas: inout ArraySlice<Float>) -> (Double) -> Double {
        func take(_ list: inout ArraySlice<Float>, _ fallback: Double) -> Double { list.popFirst().map(Double.init) ?? fallback }
        switch name {
        case "Relu": return { max(0, $0) }
        case "Tanh": return { tanh($0) }
        case "Sigmoid": return NaiveRecurrence.sigmoid
        case "Affine": let a = take(&alphas, 1), b = take(&betas, 0); return { a * $0 + b }
        case "LeakyRelu": let a = take(&alphas, 0.01); return { $0 >= 0 ? $0 : a * $0 }
        case "ThresholdedRelu": let a = take(&alphas, 1); return { $0 >= a ? $0 : 0 }
        case "ScaledTanh": let a = take(&alphas, 1), b = take(&betas, 1); return { a * tanh(b * $0) }
        case "HardSigmoid": let a = take(&alphas, 0.2), b = take(&betas, 0.5); return { min(max(a * $0 + b, 0), 1) }
        case "Elu": let a = take(&alphas, 1); return { $0 >= 0 ? $0 : a * (exp($0) - 1) }
        case "Softsign": return { $0 / (1 + abs($0)) }
        case "Softplus": return { log(1 + exp($0)) }
        default: preconditionFailure("test uses unknown activation \(name)")
        }
    }

    @Test(arguments: cases)
    func matchesNaiveRecurrence(_ config: RecurrentCase) throws {
        // A stable seed per case (String.hashValue changes from run to run).
        var rng = F.SeededGenerator(seed: config.testDescription.utf8.reduce(60) { $0 &* 31 &+ UInt64($1) })
        let (s, n, i, h) = (Self.sequenceLength, Self.batch, Self.inputSize, Self.hidden)
        let kind: NaiveRecurrence.Kind = config.op == "RNN" ? .rnn : config.op == "GRU" ? .gru : .lstm
        let gates = kind == .rnn ? 1 : kind == .gru ? 3 : 4
        let directions = config.direction == "bidirectional" ? 2 : 1
        let type = config.type
        func make(_ shape: [Int], in range: ClosedRange<Double> = -1...1) -> Tensor {
            F.tensor(shape, F.values(shape.reduce(1, *), in: range, using: &rng), type)
        }
        let x = make(config.layout == 0 ? [s, n, i] : [n, s, i], in: -2...2)
        let w = make([directions, gates * h, i]), r = make([directions, gates * h, h])
        let b = config.withBias ? make([directions, 2 * gates * h]) : nil
        let lengths = config.withLengths ? Tensor(shape: [n], scalars: [Int32(s), 0, Int32(s - 2)]) : nil
        let stateShape = config.layout == 0 ? [directions, n, h] : [n, directions, h]
        let initialH = config.withInitial ? make(stateShape) : nil
        let initialC = config.withInitial && kind == .lstm ? make(stateShape) : nil
        let p = config.withPeepholes ? make([directions, 3 * h]) : nil

        var attributes: [String: Attribute] = ["hidden_size": .int(h), "direction": .string(config.direction)]
        if config.layout != 0 { attributes["layout"] = .int(config.layout) }
        if config.linearBeforeReset != 0 { attributes["linear_before_reset"] = .int(config.linearBeforeReset) }
        if config.inputForget != 0 { attributes["input_forget"] = .int(config.inputForget) }
        if let clip = config.clip { attributes["clip"] = .float(clip) }
        if let names = config.activations { attributes["activations"] = .strings(names) }
        if let alphas = config.alphas { attributes["activation_alpha"] = .floats(alphas) }
        if let betas = config.betas { attributes["activation_beta"] = .floats(betas) }

        var inputs: [Tensor?] = [x, w, r, b, lengths, initialH]
        var outputNames = ["Y", "Y_h"]
        if kind == .lstm {
            inputs += [initialC, p]
            outputNames.append("Y_c")
        }
        while inputs.last! == nil { inputs.removeLast() }
        let outputs = try F.run(config.op, opset: 22, inputs: inputs, attributes: attributes, outputs: outputNames)

        let defaults = kind == .rnn ? ["Tanh"] : kind == .gru ? ["Sigmoid", "Tanh"] : ["Sigmoid", "Tanh", "Tanh"]
        var names = config.activations ?? defaults
        if names.count == defaults.count && directions == 2 { names += names }
        var alphas = (config.alphas ?? [])[...], betas = (config.betas ?? [])[...]
        let functions = names.map { Self.activation($0, alphas: &alphas, betas: &betas) }
        let perDirection = defaults.count
        var naive = NaiveRecurrence(
            kind: kind, sequenceLength: s, batch: n, inputSize: i, hidden: h,
            reversed: config.direction == "bidirectional" ? [false, true] : [config.direction == "reverse"],
            layout: config.layout, x: x.doubles(), w: w.doubles(), r: r.doubles(), b: b?.doubles(),
            lengths: lengths?.ints(), initialH: initialH?.doubles(), initialC: initialC?.doubles(),
            peepholes: p?.doubles(), clip: config.clip.map(Double.init),
            activations: (0..<directions).map { Array(functions[($0 * perDirection)..<(($0 + 1) * perDirection)]) })
        naive.linearBeforeReset = config.linearBeforeReset != 0
        naive.inputForget = config.inputForget != 0
        let expected = naive.run()

        let tolerance = switch type { case .float16: 2e-3; case .bfloat16: 1e-2; case .float64: 1e-12; default: 1e-6 }
        #expect(outputs.count == outputNames.count)
        #expect(outputs.allSatisfy { $0.dataType == type })
        let yShape = config.layout == 0 ? [s, directions, n, h] : [n, s, directions, h]
        F.expectClose(outputs[0], expected.y, shape: yShape, tolerance: tolerance)
        F.expectClose(outputs[1], expected.yH, shape: stateShape, tolerance: tolerance)
        if kind == .lstm { F.expectClose(outputs[2], expected.yC, shape: stateShape, tolerance: tolerance) }
    }

    @Test func omittedLeadingOutputKeepsPositions() throws {
        var rng = F.SeededGenerator(seed: 70)
        let x = F.tensor([2, 1, 2], F.values(4, using: &rng))
        let w = F.tensor([1, 8, 2], F.values(16, using: &rng)), r = F.tensor([1, 8, 2], F.values(16, using: &rng))
        let full = try F.run("LSTM", opset: 14, inputs: [x, w, r], attributes: ["hidden_size": .int(2)],
                             outputs: ["Y", "Y_h", "Y_c"])
        let partial = try F.run("LSTM", opset: 14, inputs: [x, w, r], attributes: ["hidden_size": .int(2)],
                                outputs: ["", "Y_h"])
        #expect(partial.count == 2)
        #expect(partial[1].shape == [1, 1, 2])
        #expect(partial[1].floats() == full[1].floats())
        // The last step of Y is Y_h for a forward pass over full-length sequences.
        #expect(Array(full[0].floats().suffix(2)) == full[1].floats())
    }

    @Test func invalidInputsThrow() {
        let x = F.tensor([2, 1, 2], [1, 2, 3, 4])
        let w = F.tensor([1, 3, 2], [Double](repeating: 0.1, count: 6))
        let r = F.tensor([1, 3, 3], [Double](repeating: 0.1, count: 9))
        let hidden: [String: Attribute] = ["hidden_size": .int(1)]
        F.expectInvalid("W has shape [1, 3, 2]") {
            try F.run("LSTM", opset: 22, inputs: [x, w, F.tensor([1, 4, 1], [1, 1, 1, 1])], attributes: hidden)
        }
        F.expectInvalid("hidden_size 1 does not match") {
            try F.run("RNN", opset: 22, inputs: [x, w, r], attributes: hidden)
        }
        F.expectInvalid("expected [num_directions") {
            try F.run("RNN", opset: 22, inputs: [x, w, r], attributes: ["direction": .string("bidirectional")])
        }
        F.expectInvalid("direction must be forward, reverse or bidirectional") {
            try F.run("RNN", opset: 22, inputs: [x, w, r], attributes: ["direction": .string("sideways")])
        }
        let rnnW = F.tensor([1, 3, 2], [Double](repeating: 0.1, count: 6))
        F.expectInvalid("unknown activation function 'Swish'") {
            try F.run("RNN", opset: 22, inputs: [x, rnnW, r], attributes: ["activations": .strings(["Swish"])])
        }
        F.expectInvalid("activations must list 1 functions") {
            try F.run("RNN", opset: 22, inputs: [x, rnnW, r], attributes: ["activations": .strings(["Tanh", "Relu"])])
        }
        F.expectInvalid("sequence_lens value 3 is outside [0, 2]") {
            try F.run("RNN", opset: 22, inputs: [x, rnnW, r, nil, Tensor(shape: [1], scalars: [Int32(3)])])
        }
        F.expectInvalid("layout must be 0 or 1") {
            try F.run("RNN", opset: 22, inputs: [x, rnnW, r], attributes: ["layout": .int(2)])
        }
        F.expectInvalid("initial_h has shape [3, 1, 3]") {
            try F.run("RNN", opset: 22, inputs: [x, rnnW, r, nil, nil, F.tensor([3, 1, 3], [Double](repeating: 1, count: 9))])
        }
        F.expectInvalid("X must have rank 3") {
            try F.run("GRU", opset: 22, inputs: [F.tensor([2, 2], [1, 2, 3, 4]), w, r])
        }
    }
}
