import Foundation

/// How `GridSample` samples along one spatial axis: the taps (source index or none, weight)
/// for a normalized coordinate, with the reference's float32 denormalization, rounding and
/// border handling.
struct AxisSampler {
    struct Tap {
        /// Source index, or `nil` for a zero-padded position outside the axis.
        let index: Int?
        let weight: Double
    }

    let mode: GridSample.Mode
    let padding: GridSample.Padding
    let alignCorners: Bool

    /// The taps for normalized coordinate `normalized` (−1 and 1 are the extreme pixels'
    /// centres with `alignCorners`, their outer edges otherwise).
    func taps(normalized: Double, length: Int) -> [Tap] {
        taps(position: Double(Float(alignCorners
            ? (normalized + 1) / 2 * Double(length - 1)
            : ((normalized + 1) * Double(length) - 1) / 2)), length: length)
    }

    /// The taps for `position` in pixel units (0 is the first pixel's centre).
    func taps(position: Double, length: Int) -> [Tap] {
        let (low, high) = alignCorners ? (0.0, Double(length) - 1) : (-0.5, Double(length) - 0.5)
        var x = position
        // Non-finite or absurdly distant coordinates sample nothing (zero), never trap.
        guard x.isFinite, abs(x) < 1e15 else { return [] }
        if mode == .nearest { x = x.rounded(.toNearestOrEven) }
        if x < low || x > high {
            switch padding {
            case .border: x = min(max(x, 0), Double(length - 1))
            case .reflection: x = Self.reflect(x, low, high)
            case .zeros: break
            }
            x = Double(Float(x))
        }
        switch mode {
        case .nearest:
            return [Tap(index: pixel(Int(x), length: length, low: low, high: high), weight: 1)]
        case .linear:
            let base = floor(x), t = x - base, i = Int(base)
            return [Tap(index: pixel(i, length: length, low: low, high: high), weight: 1 - t),
                    Tap(index: pixel(i + 1, length: length, low: low, high: high), weight: t)]
        case .cubic:
            let base = floor(x), i = Int(base)
            let coefficients = Self.cubicCoefficients(x - base)
            return (0..<4).map { k in
                Tap(index: pixel(i - 1 + k, length: length, low: low, high: high), weight: coefficients[k])
            }
        }
    }

    /// Source index for integer position `i` under the padding mode (`nil`: zero).
    private func pixel(_ i: Int, length: Int, low: Double, high: Double) -> Int? {
        switch padding {
        case .zeros: return i >= 0 && i < length ? i : nil
        case .border: return min(max(i, 0), length - 1)
        case .reflection: return min(max(Int(Self.reflect(Double(i), low, high)), 0), length - 1)
        }
    }

    /// `x` reflected by the nearer border until it lies within `[low, high]`.
    static func reflect(_ x: Double, _ low: Double, _ high: Double) -> Double {
        let range = high - low
        guard range > 0 else { return low }
        if x < low {
            let dx = low - x, n = (dx / range).rounded(.towardZero), r = dx - n * range
            return Int(n) % 2 == 0 ? low + r : high - r
        }
        if x > high {
            let dx = x - high, n = (dx / range).rounded(.towardZero), r = dx - n * range
            return Int(n) % 2 == 0 ? high - r : low + r
        }
        return x
    }

    /// Keys' cubic convolution weights (α = −0.75) for the taps at −1, 0, 1, 2 from `floor(x)`,
    /// given the fraction `t = x − floor(x)`.
    static func cubicCoefficients(_ t: Double) -> [Double] {
        let a = -0.75
        let x = abs(t)
        return [
            ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a,
            ((a + 2) * x - (a + 3)) * x * x + 1,
            ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1,
            ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a,
        ]
    }
}
