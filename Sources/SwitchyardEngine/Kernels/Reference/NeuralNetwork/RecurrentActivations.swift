import Foundation

/// An activation function of the recurrent operators (`RNN`, `GRU`, `LSTM`), with the
/// `alpha`/`beta` it was configured with.
enum RecurrentActivation: Sendable, Equatable {
    case relu
    case tanh
    case sigmoid
    case affine(alpha: Double, beta: Double)
    case leakyRelu(alpha: Double)
    case thresholdedRelu(alpha: Double)
    case scaledTanh(alpha: Double, beta: Double)
    case hardSigmoid(alpha: Double, beta: Double)
    case elu(alpha: Double)
    case softsign
    case softplus

    func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .relu: max(0, x)
        case .tanh: Foundation.tanh(x)
        case .sigmoid: x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        case .affine(let alpha, let beta): alpha * x + beta
        case .leakyRelu(let alpha): x >= 0 ? x : alpha * x
        case .thresholdedRelu(let alpha): x >= alpha ? x : 0
        case .scaledTanh(let alpha, let beta): alpha * Foundation.tanh(beta * x)
        case .hardSigmoid(let alpha, let beta): min(max(alpha * x + beta, 0), 1)
        case .elu(let alpha): x >= 0 ? x : alpha * (exp(x) - 1)
        case .softsign: x / (1 + abs(x))
        case .softplus: x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
        }
    }

    /// Which of alpha and beta an activation takes, and their defaults (those of the
    /// standalone ONNX operators of the same name).
    private static let parameters: [String: (alpha: Double?, beta: Double?)] = [
        "relu": (nil, nil), "tanh": (nil, nil), "sigmoid": (nil, nil), "softsign": (nil, nil),
        "softplus": (nil, nil), "affine": (1, 0), "leakyrelu": (0.01, nil),
        "thresholdedrelu": (1, nil), "scaledtanh": (1, 1), "hardsigmoid": (0.2, 0.5), "elu": (1, nil),
    ]

    /// The activations of a recurrent node, per direction: attribute `activations` (or
    /// `defaults`) holds `perDirection` names per direction, forward first; a list of
    /// `perDirection` names for a bidirectional node applies to both directions.
    /// `activation_alpha` and `activation_beta` are consumed in order by the activations that
    /// take them; activations left without a value use their default.
    static func parse(
        _ context: OpContext, defaults: [String], directions: Int
    ) throws(KernelError) -> [[RecurrentActivation]] {
        let op = context.node.opType
        let perDirection = defaults.count
        var names = try context.strings("activations") ?? defaults
        if names.count == perDirection && directions == 2 { names += names }
        guard names.count == perDirection * directions else {
            throw .invalidArgument("\(op): activations must list \(perDirection * directions) functions (\(perDirection) per direction), got \(names.count): \(names)")
        }
        var alphas = (try context.floats("activation_alpha") ?? [])[...]
        var betas = (try context.floats("activation_beta") ?? [])[...]
        var result: [RecurrentActivation] = []
        for name in names {
            let key = name.lowercased()
            guard let takes = parameters[key] else {
                throw .invalidArgument("\(op): unknown activation function '\(name)'; expected one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus")
            }
            let alpha = takes.alpha.map { alphas.popFirst().map(Double.init) ?? $0 } ?? 0
            let beta = takes.beta.map { betas.popFirst().map(Double.init) ?? $0 } ?? 0
            switch key {
            case "relu": result.append(.relu)
            case "tanh": result.append(.tanh)
            case "sigmoid": result.append(.sigmoid)
            case "softsign": result.append(.softsign)
            case "softplus": result.append(.softplus)
            case "affine": result.append(.affine(alpha: alpha, beta: beta))
            case "leakyrelu": result.append(.leakyRelu(alpha: alpha))
            case "thresholdedrelu": result.append(.thresholdedRelu(alpha: alpha))
            case "scaledtanh": result.append(.scaledTanh(alpha: alpha, beta: beta))
            case "hardsigmoid": result.append(.hardSigmoid(alpha: alpha, beta: beta))
            default: result.append(.elu(alpha: alpha))
            }
        }
        return (0..<directions).map { Array(result[($0 * perDirection)..<(($0 + 1) * perDirection)]) }
    }
}
