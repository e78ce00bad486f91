import Foundation

/// A naive O(n²) discrete Fourier transform of one complex sequence, in `Double`. Twiddles are
/// taken from a table indexed by `(k · t) mod n`, so the angles stay exact however long the
/// sequence.
struct DiscreteFourierTransform {
    let length: Int
    private let cosines: [Double]
    private let sines: [Double]

    init(length: Int) {
        self.length = length
        cosines = (0..<length).map { cos(2 * Double.pi * Double($0) / Double(length)) }
        sines = (0..<length).map { sin(2 * Double.pi * Double($0) / Double(length)) }
    }

    /// `X[k] = Σ_t x[t] · e^(∓2πi·k·t/n)` for `k` in `0..<outputCount`; the sign is + for the
    /// inverse, which is also divided by `n`. `real`/`imaginary` may be shorter than `n`
    /// (zero padding); extra elements are ignored (truncation).
    func transform(real: [Double], imaginary: [Double], outputCount: Int, inverse: Bool) -> (real: [Double], imaginary: [Double]) {
        let n = length
        let used = min(n, real.count)
        var outReal = [Double](repeating: 0, count: outputCount), outImaginary = outReal
        let sign: Double = inverse ? 1 : -1
        for k in 0..<outputCount {
            var sumReal = 0.0, sumImaginary = 0.0
            var angle = 0
            for t in 0..<used {
                let c = cosines[angle], s = sign * sines[angle]
                sumReal += real[t] * c - imaginary[t] * s
                sumImaginary += real[t] * s + imaginary[t] * c
                angle += k
                if angle >= n { angle %= n }
            }
            outReal[k] = inverse ? sumReal / Double(n) : sumReal
            outImaginary[k] = inverse ? sumImaginary / Double(n) : sumImaginary
        }
        return (outReal, outImaginary)
    }

    /// NumPy's `irfft`: the real length-`n` signal whose spectrum is the Hermitian extension of
    /// the first `n/2 + 1` bins given (zero-padded or truncated). The imaginary parts of the DC
    /// and Nyquist bins cancel, as in NumPy.
    func inverseOfHermitian(real: [Double], imaginary: [Double]) -> [Double] {
        let n = length
        let bins = n / 2 + 1
        var fullReal = [Double](repeating: 0, count: n), fullImaginary = fullReal
        for k in 0..<min(bins, real.count) {
            fullReal[k] = real[k]
            fullImaginary[k] = imaginary[k]
            if k > 0 && n - k > k {
                fullReal[n - k] = real[k]
                fullImaginary[n - k] = -imaginary[k]
            }
        }
        return transform(real: fullReal, imaginary: fullImaginary, outputCount: n, inverse: true).real
    }
}
