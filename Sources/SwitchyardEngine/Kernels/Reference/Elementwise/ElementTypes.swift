import Foundation
import SwitchyardTensor

/// A scalar type the elementwise and reduction kernels compute in natively: `Float`, `Double`
/// and the fixed-width integers. `Float16` and `BFloat16` tensors are computed in `Float` and
/// rounded back, as NumPy does for half-precision ufuncs.
///
/// The arithmetic wraps for integers (like C and NumPy) instead of trapping, so a model's
/// overflow never crashes the process.
protocol NumericElement: TensorScalar, Comparable, Numeric {
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    /// Quotient; integers truncate toward zero. Integer divisors must be non-zero (the caller
    /// checks).
    static func divide(_ a: Self, _ b: Self) -> Self
    /// Remainder with the sign of the dividend (`fmod`, C `%`) when `truncated`, else with the
    /// sign of the divisor (Python/NumPy `mod`).
    static func remainder(_ a: Self, _ b: Self, truncated: Bool) -> Self
    /// The identity of `max`: -infinity for floats, the minimum for integers.
    static var lowest: Self { get }
    /// The identity of `min`: +infinity for floats, the maximum for integers.
    static var highest: Self { get }
    /// True for a NaN (never for integers).
    var isNaNValue: Bool { get }
    /// Converts with `Cast` semantics: floats round, integers truncate toward zero and clamp
    /// (NaN becomes 0).
    init(castFrom value: Double)
    var doubleValue: Double { get }
}

extension NumericElement {
    /// NumPy's `maximum`: NaN wins.
    @inline(__always) static func maximum(_ a: Self, _ b: Self) -> Self {
        a.isNaNValue ? a : (b > a || b.isNaNValue ? b : a)
    }

    /// NumPy's `minimum`: NaN wins.
    @inline(__always) static func minimum(_ a: Self, _ b: Self) -> Self {
        a.isNaNValue ? a : (b < a || b.isNaNValue ? b : a)
    }

    @inline(__always) static func negate(_ a: Self) -> Self { subtract(.zero, a) }
}

/// The floating-point element types computed natively (`Float`, `Double`), with the
/// transcendental functions the kernels need.
protocol FloatElement: NumericElement, BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tan(_ x: Self) -> Self
    static func asin(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func atan(_ x: Self) -> Self
    static func sinh(_ x: Self) -> Self
    static func cosh(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func asinh(_ x: Self) -> Self
    static func acosh(_ x: Self) -> Self
    static func atanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func fmod(_ x: Self, _ y: Self) -> Self
}

extension FloatElement {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    @inline(__always) static func divide(_ a: Self, _ b: Self) -> Self { a / b }

    /// NumPy's `npy_divmod` remainder for the floored case, including its signed zeros and
    /// infinite divisors (`-3 mod inf` is `inf`).
    static func remainder(_ a: Self, _ b: Self, truncated: Bool) -> Self {
        var result = fmod(a, b)
        if truncated || b == 0 { return result }
        if result != 0 {
            if (b < 0) != (result < 0) { result += b }
        } else {
            result = Self(signOf: b, magnitudeOf: 0)
        }
        return result
    }

    static var lowest: Self { -.infinity }
    static var highest: Self { .infinity }
    @inline(__always) var isNaNValue: Bool { isNaN }
    init(castFrom value: Double) { self.init(value) }
    var doubleValue: Double { Double(self) }
}

extension Float: FloatElement {
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    static func log(_ x: Float) -> Float { Foundation.log(x) }
    static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    static func tan(_ x: Float) -> Float { Foundation.tan(x) }
    static func asin(_ x: Float) -> Float { Foundation.asin(x) }
    static func acos(_ x: Float) -> Float { Foundation.acos(x) }
    static func atan(_ x: Float) -> Float { Foundation.atan(x) }
    static func sinh(_ x: Float) -> Float { Foundation.sinh(x) }
    static func cosh(_ x: Float) -> Float { Foundation.cosh(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    static func asinh(_ x: Float) -> Float { Foundation.asinh(x) }
    static func acosh(_ x: Float) -> Float { Foundation.acosh(x) }
    static func atanh(_ x: Float) -> Float { Foundation.atanh(x) }
    static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    static func fmod(_ x: Float, _ y: Float) -> Float { Foundation.fmod(x, y) }
}

extension Double: FloatElement {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func tan(_ x: Double) -> Double { Foundation.tan(x) }
    static func asin(_ x: Double) -> Double { Foundation.asin(x) }
    static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    static func atan(_ x: Double) -> Double { Foundation.atan(x) }
    static func sinh(_ x: Double) -> Double { Foundation.sinh(x) }
    static func cosh(_ x: Double) -> Double { Foundation.cosh(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func asinh(_ x: Double) -> Double { Foundation.asinh(x) }
    static func acosh(_ x: Double) -> Double { Foundation.acosh(x) }
    static func atanh(_ x: Double) -> Double { Foundation.atanh(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    static func fmod(_ x: Double, _ y: Double) -> Double { Foundation.fmod(x, y) }
}

/// The integer element types.
protocol IntegerElement: NumericElement, FixedWidthInteger {}

extension IntegerElement {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    /// `min / -1` wraps to `min` instead of trapping.
    @inline(__always) static func divide(_ a: Self, _ b: Self) -> Self {
        a.dividedReportingOverflow(by: b).partialValue
    }

    static func remainder(_ a: Self, _ b: Self, truncated: Bool) -> Self {
        let result = a.remainderReportingOverflow(dividingBy: b).partialValue
        if truncated || result == 0 || (result < 0) == (b < 0) { return result }
        return result &+ b
    }

    static var lowest: Self { .min }
    static var highest: Self { .max }
    @inline(__always) var isNaNValue: Bool { false }

    init(castFrom value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Self.max) {
            self = .max
        } else if value <= Double(Self.min) {
            self = .min
        } else {
            self.init(value.rounded(.towardZero))
        }
    }

    var doubleValue: Double { Double(self) }
}

extension Int8: IntegerElement {}
extension Int16: IntegerElement {}
extension Int32: IntegerElement {}
extension Int64: IntegerElement {}
extension UInt8: IntegerElement {}
extension UInt16: IntegerElement {}
extension UInt32: IntegerElement {}
extension UInt64: IntegerElement {}
