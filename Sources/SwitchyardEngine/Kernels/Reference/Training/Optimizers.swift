import Foundation
import SwitchyardTensor

/// The optimizers of the `ai.onnx.preview.training` domain (opset 1). Each updates n tensors
/// at once; outputs are the new X₁…Xₙ followed by each new state list.
enum Optimizers {
    /// `Adagrad`: `X ← X − r·g / (√H' + ε)` with `H' = H + g²`, `g = λX + G`,
    /// `r = R / (1 + T·decay_factor)`.
    static func adagrad(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let inputs = try OptimizerInputs(context, op: "Adagrad", lists: 3)
        let decay = Double(try context.float("decay_factor", default: 0))
        let epsilon = Double(try context.float("epsilon", default: 1e-6))
        let lambda = Double(try context.float("norm_coefficient", default: 0))
        let rate = inputs.rate / (1 + Double(inputs.count) * decay)
        return regroup((0..<inputs.tensorCount).map { i in
            inputs.map(i) { v in
                let g = lambda * v[0] + v[1]
                let h = v[2] + g * g
                return [v[0] - rate * g / (h.squareRoot() + epsilon), h]
            }
        })
    }

    /// `Adam` with bias-corrected rate `R·√(1−βᵀ)/(1−αᵀ)` when T > 0 and the post-update
    /// decay `(1 − norm_coefficient_post)`.
    static func adam(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let inputs = try OptimizerInputs(context, op: "Adam", lists: 4)
        let alpha = Double(try context.float("alpha", default: 0.9))
        let beta = Double(try context.float("beta", default: 0.999))
        let epsilon = Double(try context.float("epsilon", default: 1e-6))
        let lambda = Double(try context.float("norm_coefficient", default: 0))
        let post = Double(try context.float("norm_coefficient_post", default: 0))
        let t = Double(inputs.count)
        let rate = inputs.count > 0 ? inputs.rate * (1 - pow(beta, t)).squareRoot() / (1 - pow(alpha, t)) : inputs.rate
        return regroup((0..<inputs.tensorCount).map { i in
            inputs.map(i) { v in
                let g = lambda * v[0] + v[1]
                let momentum = alpha * v[2] + (1 - alpha) * g
                let h = beta * v[3] + (1 - beta) * g * g
                let x = v[0] - rate * (momentum / (h.squareRoot() + epsilon))
                return [(1 - post) * x, momentum, h]
            }
        })
    }

    /// `Momentum`, `standard` or `nesterov`; β is used only when T > 0 (1 on the first step).
    static func momentum(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "Momentum"
        let inputs = try OptimizerInputs(context, op: op, lists: 3)
        guard let alphaValue = try context.float("alpha"), let betaValue = try context.float("beta"),
              let lambdaValue = try context.float("norm_coefficient"), let mode = try context.string("mode") else {
            throw .invalidArgument("\(op): attributes alpha, beta, norm_coefficient and mode are required")
        }
        guard mode == "standard" || mode == "nesterov" else {
            throw .invalidArgument("\(op): mode '\(mode)' is not standard or nesterov")
        }
        let (alpha, lambda) = (Double(alphaValue), Double(lambdaValue))
        let beta = inputs.count > 0 ? Double(betaValue) : 1
        let rate = inputs.rate
        return regroup((0..<inputs.tensorCount).map { i in
            inputs.map(i) { v in
                let g = lambda * v[0] + v[1]
                let velocity = alpha * v[2] + beta * g
                let step = mode == "standard" ? velocity : g + alpha * velocity
                return [v[0] - rate * step, velocity]
            }
        })
    }

    /// Per-tensor results `[X', state…]` reordered to `X'₁…X'ₙ, state₁…stateₙ, …`.
    private static func regroup(_ perTensor: [[Tensor]]) -> [Tensor] {
        guard let width = perTensor.first?.count else { return [] }
        return (0..<width).flatMap { output in perTensor.map { $0[output] } }
    }
}
