import Foundation
import SwitchyardGraph

/// The activation a fused node (`FusedConv`, `FusedMatMul`) applies to its result, read from the
/// node's `activation` (STRING) and `activation_params` (FLOATS) attributes (see
/// notes/fused.md). `Swish` (x·sigmoid(alpha·x), SiLU when alpha = 1) is an engine extension for
/// the YOLO and PP-OCR exports that spell it as `x * Sigmoid(x)`.
public enum FusedActivation: Sendable, Equatable {
    case relu
    case leakyRelu(alpha: Float)
    case clip(min: Float, max: Float)
    case hardSigmoid(alpha: Float, beta: Float)
    case hardSwish
    case sigmoid
    case tanh
    case elu(alpha: Float)
    case gelu
    case swish(alpha: Float)

    /// Every activation name the reference kernels understand.
    public static let allNames: Set<String> = [
        "Relu", "LeakyRelu", "Clip", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "Elu", "Gelu", "Swish",
    ]

    /// The activations the optimizer fuses by default: every one, since the oneDNN kernels
    /// lower each to a post-op (`Swish` to `eltwise_swish`).
    public static let fusedByDefault: Set<String> = allNames

    /// Attribute names on fused nodes.
    public static let nameAttribute = "activation"
    public static let parametersAttribute = "activation_params"

    /// Parses the activation of `node`; `nil` when it has none.
    public init?(node: Node) throws(KernelError) {
        guard let attribute = node.attributes[Self.nameAttribute] else { return nil }
        guard case .string(let name) = attribute else {
            throw .invalidArgument("\(node.opType) attribute 'activation' must be STRING, got \(attribute.typeName)")
        }
        var parameters: [Float] = []
        switch node.attributes[Self.parametersAttribute] {
        case nil: break
        case .floats(let values)?: parameters = values
        case .float(let value)?: parameters = [value]
        case let other?:
            throw .invalidArgument("\(node.opType) attribute 'activation_params' must be FLOATS, got \(other.typeName)")
        }
        func parameter(_ index: Int, _ fallback: Float) -> Float { index < parameters.count ? parameters[index] : fallback }
        switch name {
        case "Relu": self = .relu
        case "LeakyRelu": self = .leakyRelu(alpha: parameter(0, 0.01))
        case "Clip": self = .clip(min: parameter(0, -.infinity), max: parameter(1, .infinity))
        case "HardSigmoid": self = .hardSigmoid(alpha: parameter(0, 0.2), beta: parameter(1, 0.5))
        case "HardSwish": self = .hardSwish
        case "Sigmoid": self = .sigmoid
        case "Tanh": self = .tanh
        case "Elu": self = .elu(alpha: parameter(0, 1))
        case "Gelu": self = .gelu
        case "Swish": self = .swish(alpha: parameter(0, 1))
        default:
            throw .unsupported("\(node.opType): activation '\(name)' is not one of Relu, LeakyRelu, Clip, HardSigmoid, HardSwish, Sigmoid, Tanh, Elu, Gelu, Swish")
        }
    }

    /// The attribute name written on fused nodes.
    public var name: String {
        switch self {
        case .relu: "Relu"
        case .leakyRelu: "LeakyRelu"
        case .clip: "Clip"
        case .hardSigmoid: "HardSigmoid"
        case .hardSwish: "HardSwish"
        case .sigmoid: "Sigmoid"
        case .tanh: "Tanh"
        case .elu: "Elu"
        case .gelu: "Gelu"
        case .swish: "Swish"
        }
    }

    /// The `activation_params` written on fused nodes (empty when the activation has none).
    public var parameters: [Float] {
        switch self {
        case .leakyRelu(let alpha), .elu(let alpha), .swish(let alpha): [alpha]
        case .clip(let low, let high): [low, high]
        case .hardSigmoid(let alpha, let beta): [alpha, beta]
        case .relu, .hardSwish, .sigmoid, .tanh, .gelu: []
        }
    }

    /// The attributes describing this activation on a fused node.
    public var attributes: [String: Attribute] {
        var result: [String: Attribute] = [Self.nameAttribute: .string(name)]
        if !parameters.isEmpty { result[Self.parametersAttribute] = .floats(parameters) }
        return result
    }

    /// Applies the activation to one value.
    @inline(__always)
    public func callAsFunction(_ x: Float) -> Float {
        switch self {
        case .relu: return Swift.max(x, 0)
        case .leakyRelu(let alpha): return x < 0 ? alpha * x : x
        case .clip(let low, let high): return Swift.min(Swift.max(x, low), high)
        case .hardSigmoid(let alpha, let beta): return Swift.max(0, Swift.min(1, alpha * x + beta))
        case .hardSwish: return x * Swift.max(0, Swift.min(1, x / 6 + 0.5))
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .tanh: return Foundation.tanh(x)
        case .elu(let alpha): return x < 0 ? alpha * (Foundation.exp(x) - 1) : x
        case .gelu: return 0.5 * x * (1 + Foundation.erf(x / Float(2).squareRoot()))
        case .swish(let alpha): return x / (1 + Foundation.exp(-alpha * x))
        }
    }

    /// Applies the activation to every element, in place.
    public func apply(to values: UnsafeMutableBufferPointer<Float>) {
        for index in values.indices { values[index] = self(values[index]) }
    }

    /// Applies the activation to every element, in place.
    public func apply(to values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { apply(to: $0) }
    }
}
