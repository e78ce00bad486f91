import SwitchyardTensor

/// The activation operators that map one element to one element with scalar attributes.
/// PRelu (a broadcast slope tensor) and Clip (bounds as inputs) are in `ParametricActivations`.
enum Activations {
    /// The logistic function; its own type so the hot float32 loop has no dispatch in it.
    struct Sigmoid: RealFunction {
        @inline(__always)
        func callAsFunction<F: FloatElement>(_ x: F) -> F { 1 / (1 + F.exp(-x)) }
    }

    /// `max(0, min(1, alpha * x + beta))`.
    struct HardSigmoid: RealFunction {
        let alpha: Double
        let beta: Double

        @inline(__always)
        func callAsFunction<F: FloatElement>(_ x: F) -> F {
            let y = F(alpha) * x + F(beta)
            return y < 0 ? 0 : (y > 1 ? 1 : y)
        }
    }

    /// `x < 0 ? alpha * x : x`; its own type because detection models run it on every layer.
    struct LeakyRelu: RealFunction {
        let alpha: Double

        @inline(__always)
        func callAsFunction<F: FloatElement>(_ x: F) -> F { x < 0 ? F(alpha) * x : x }
    }

    /// `max(x, 0)` for every numeric type; NaN stays NaN.
    struct Relu: NumericFunction {
        @inline(__always)
        func callAsFunction<T: NumericElement>(_ x: T) -> T { x < .zero ? .zero : x }
    }

    /// Shrink works on every numeric type; integers are computed in double and truncated,
    /// as NumPy's `astype` does.
    struct Shrink: NumericFunction {
        let bias: Double
        let lambda: Double

        func callAsFunction<T: NumericElement>(_ x: T) -> T {
            let value = x.doubleValue
            if value < -lambda { return T(castFrom: value + bias) }
            if value > lambda { return T(castFrom: value - bias) }
            return .zero
        }
    }

    /// The remaining float-only activations with their attributes.
    enum Function: RealFunction {
        case elu(alpha: Double)
        case selu(alpha: Double, gamma: Double)
        case celu(alpha: Double)
        case gelu(tanhApproximation: Bool)
        case mish
        case hardSwish
        case softplus
        case softsign
        case thresholdedRelu(alpha: Double)

        func callAsFunction<F: FloatElement>(_ x: F) -> F {
            switch self {
            case .elu(let alpha):
                return x < 0 ? F(alpha) * F.expm1(x) : x
            case .selu(let alpha, let gamma):
                return x > 0 ? F(gamma) * x : F(gamma) * (F(alpha) * F.exp(x) - F(alpha))
            case .celu(let alpha):
                let a = F(alpha)
                return max(0, x) + min(0, a * F.expm1(x / a))
            case .gelu(let tanhApproximation):
                if tanhApproximation {
                    let inner = F(0.7978845608028654) * (x + F(0.044715) * x * x * x)
                    return F(0.5) * x * (1 + F.tanh(inner))
                }
                return F(0.5) * x * (1 + F.erf(x * F(0.7071067811865476)))
            case .mish:
                return x * F.tanh(softplus(x))
            case .hardSwish:
                let gate = x / 6 + F(0.5)
                return x * (gate < 0 ? 0 : (gate > 1 ? 1 : gate))
            case .softplus:
                return softplus(x)
            case .softsign:
                return x / (1 + x.magnitude)
            case .thresholdedRelu(let alpha):
                return x > F(alpha) ? x : 0
            }
        }

        /// `log(1 + exp(x))` without overflow for large `x`.
        private func softplus<F: FloatElement>(_ x: F) -> F {
            x > 0 ? x + F.log1p(F.exp(-x)) : F.log1p(F.exp(x))
        }

        /// The function a node describes, for the op types this enum covers.
        static func from(_ context: OpContext) throws(KernelError) -> Function? {
            func attribute(_ name: String, _ value: Double) throws(KernelError) -> Double {
                Double(try context.float(name) ?? Float(value))
            }
            switch context.node.opType {
            case "Elu": return .elu(alpha: try attribute("alpha", 1))
            case "Selu":
                return .selu(alpha: try attribute("alpha", 1.67326319217681884765625),
                             gamma: try attribute("gamma", 1.05070102214813232421875))
            case "Celu": return .celu(alpha: try attribute("alpha", 1))
            case "Gelu":
                switch try context.string("approximate", default: "none") {
                case "none": return .gelu(tanhApproximation: false)
                case "tanh": return .gelu(tanhApproximation: true)
                case let other:
                    throw .invalidArgument("Gelu: attribute 'approximate' must be \"none\" or \"tanh\", got \"\(other)\"")
                }
            case "Mish": return .mish
            case "HardSwish": return .hardSwish
            case "Softplus": return .softplus
            case "Softsign": return .softsign
            case "ThresholdedRelu": return .thresholdedRelu(alpha: try attribute("alpha", 1))
            default: return nil
            }
        }
    }

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for op in ["Elu", "Selu", "Celu", "Gelu", "Mish", "HardSwish", "Softplus", "Softsign",
                   "ThresholdedRelu"] {
            table[op] = { context in
                guard let function = try Function.from(context) else {
                    throw KernelError.unsupported("\(context.node.opType): not an activation")
                }
                return [try ElementwiseDispatch.real(context.input(0), op: op, function)]
            }
        }
        table["Sigmoid"] = { context in
            [try ElementwiseDispatch.real(context.input(0), op: "Sigmoid", Sigmoid())]
        }
        table["LeakyRelu"] = { context in
            let function = LeakyRelu(alpha: Double(try context.float("alpha", default: 0.01)))
            return [try ElementwiseDispatch.real(context.input(0), op: "LeakyRelu", function)]
        }
        table["HardSigmoid"] = { context in
            let function = HardSigmoid(alpha: Double(try context.float("alpha", default: 0.2)),
                                       beta: Double(try context.float("beta", default: 0.5)))
            return [try ElementwiseDispatch.real(context.input(0), op: "HardSigmoid", function)]
        }
        table["Relu"] = { context in
            [try ElementwiseDispatch.numeric(context.input(0), op: "Relu", Relu())]
        }
        table["Shrink"] = { context in
            let function = Shrink(bias: Double(try context.float("bias", default: 0)),
                                  lambda: Double(try context.float("lambd", default: 0.5)))
            return [try ElementwiseDispatch.numeric(context.input(0), op: "Shrink", function)]
        }
        return table
    }
}
