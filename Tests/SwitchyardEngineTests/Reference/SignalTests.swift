import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct SignalTests {
    typealias K = QuantizationTestKit

    /// `Σ_t x[t] e^(∓2πi k t / n)` for every k, straight from the definition.
    static func naiveDFT(_ re: [Double], _ im: [Double], n: Int, inverse: Bool = false) -> [(Double, Double)] {
        (0..<n).map { k in
            var sum = (0.0, 0.0)
            for t in 0..<min(n, re.count) {
                let angle = (inverse ? 2 : -2) * Double.pi * Double(k * t) / Double(n)
                sum.0 += re[t] * cos(angle) - im[t] * sin(angle)
                sum.1 += re[t] * sin(angle) + im[t] * cos(angle)
            }
            return inverse ? (sum.0 / Double(n), sum.1 / Double(n)) : sum
        }
    }

    @Test func forwardRealDFTAlongAxisOne() throws {
        var rng = K.Generator(seed: 41)
        let x = K.floats([2, 6, 3, 1], using: &rng)
        let y = try K.run("DFT", opset: 17, inputs: [x], attributes: ["axis": .int(1)])[0]
        let xs = x.doubles()
        var expected = [Double](repeating: 0, count: 2 * 6 * 3 * 2)
        for b in 0..<2 { for i in 0..<3 {
            let signal = (0..<6).map { xs[(b * 6 + $0) * 3 + i] }
            for (k, value) in Self.naiveDFT(signal, [Double](repeating: 0, count: 6), n: 6).enumerated() {
                expected[((b * 6 + k) * 3 + i) * 2] = value.0
                expected[((b * 6 + k) * 3 + i) * 2 + 1] = value.1
            }
        } }
        NormRNNFixtures.expectClose(y, expected, shape: [2, 6, 3, 2], tolerance: 1e-5)
    }

    @Test func onesidedPaddedComplexDFTWithAxisInput() throws {
        var rng = K.Generator(seed: 43)
        let x = K.floats([3, 5, 2], using: &rng)
        let y = try K.run("DFT", opset: 20, inputs: [x, Tensor(scalar: Int64(8)), Tensor(scalar: Int64(-2))],
                          attributes: ["onesided": .int(1)])[0]
        let xs = x.doubles()
        var expected: [Double] = []
        for b in 0..<3 {
            let spectrum = Self.naiveDFT((0..<5).map { xs[(b * 5 + $0) * 2] }, (0..<5).map { xs[(b * 5 + $0) * 2 + 1] }, n: 8)
            for k in 0..<5 { expected += [spectrum[k].0, spectrum[k].1] }
        }
        NormRNNFixtures.expectClose(y, expected, shape: [3, 5, 2], tolerance: 1e-5)
    }

    @Test func inverseDFTUndoesForward() throws {
        var rng = K.Generator(seed: 45)
        let x = K.floats([1, 7, 2], using: &rng)
        let spectrum = try K.run("DFT", opset: 20, inputs: [x])[0]
        let back = try K.run("DFT", opset: 20, inputs: [spectrum], attributes: ["inverse": .int(1)])[0]
        NormRNNFixtures.expectClose(back, x.doubles(), shape: [1, 7, 2], tolerance: 1e-5)
    }

    @Test(arguments: [6, 7])
    func inverseOnesidedIsIRFFT(length: Int) throws {
        var rng = K.Generator(seed: 47)
        let signal = K.floats([1, length, 1], using: &rng)
        let half = try K.run("DFT", opset: 20, inputs: [signal], attributes: ["onesided": .int(1)])[0]
        #expect(half.shape == [1, length / 2 + 1, 2])
        let real = try K.run("DFT", opset: 20, inputs: [half, Tensor(scalar: Int64(length))],
                             attributes: ["inverse": .int(1), "onesided": .int(1)])[0]
        NormRNNFixtures.expectClose(real, signal.doubles(), shape: [1, length, 1], tolerance: 1e-5)
    }

    @Test func stftWithWindowMatchesFramedDFT() throws {
        var rng = K.Generator(seed: 49)
        let (length, frameLength, step) = (20, 8, 3)
        let signal = K.floats([2, length, 1], using: &rng)
        let window = K.floats([frameLength], in: 0.1...1, using: &rng)
        let y = try K.run("STFT", opset: 17, inputs: [signal, Tensor(scalar: Int64(step)), window, Tensor(scalar: Int64(frameLength))])[0]
        let frames = 1 + (length - frameLength) / step, bins = frameLength / 2 + 1
        let xs = signal.doubles(), ws = window.doubles()
        var expected: [Double] = []
        for b in 0..<2 { for f in 0..<frames {
            let frame = (0..<frameLength).map { xs[b * length + f * step + $0] * ws[$0] }
            let spectrum = Self.naiveDFT(frame, [Double](repeating: 0, count: frameLength), n: frameLength)
            for k in 0..<bins { expected += [spectrum[k].0, spectrum[k].1] }
        } }
        NormRNNFixtures.expectClose(y, expected, shape: [2, frames, bins, 2], tolerance: 1e-5)
    }

    @Test(arguments: [true, false])
    func windows(periodic: Bool) throws {
        let size = 9
        let n = Double(periodic ? size : size - 1)
        let attributes: [String: Attribute] = ["periodic": .int(periodic ? 1 : 0), "output_datatype": .int(Int(DataType.float64.rawValue))]
        let formulas: [(String, (Double) -> Double)] = [
            ("HannWindow", { 0.5 - 0.5 * cos(2 * .pi * $0 / n) }),
            ("HammingWindow", { 0.54347826 - 0.45652174 * cos(2 * .pi * $0 / n) }),
            ("BlackmanWindow", { 0.42 - 0.5 * cos(2 * .pi * $0 / n) + 0.08 * cos(4 * .pi * $0 / n) }),
        ]
        for (op, formula) in formulas {
            let y = try K.run(op, opset: 17, inputs: [Tensor(scalar: Int32(size))], attributes: attributes)[0]
            #expect(y.dataType == .float64)
            NormRNNFixtures.expectClose(y, (0..<size).map { formula(Double($0)) }, shape: [size], tolerance: 1e-7)
        }
    }

    @Test func melWeightMatrixIsTriangularFilterBank() throws {
        let (bins, dft, rate, low, high) = (5, 32, 8000, 100.0, 3500.0)
        let y = try K.run("MelWeightMatrix", opset: 17, inputs: [
            Tensor(scalar: Int64(bins)), Tensor(scalar: Int64(dft)), Tensor(scalar: Int64(rate)),
            Tensor(scalar: Float(low)), Tensor(scalar: Float(high))])[0]
        func mel(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }
        func hertz(_ m: Double) -> Double { 700 * (pow(10, m / 2595) - 1) }
        let step = (mel(high) - mel(low)) / Double(bins + 2)
        let edges = (0..<(bins + 2)).map { Int(floor(Double(dft + 1) * hertz(mel(low) + Double($0) * step) / Double(rate))) }
        var expected = [Double](repeating: 0, count: (dft / 2 + 1) * bins)
        for m in 0..<bins {
            for j in 0..<(dft / 2 + 1) {
                let (l, c, r) = (edges[m], edges[m + 1], edges[m + 2])
                if j >= l && j <= c && c > l { expected[j * bins + m] = Double(j - l) / Double(c - l) }
                if j >= c && j < r { expected[j * bins + m] = Double(r - j) / Double(r - c) }
                if j == c && c == l { expected[j * bins + m] = 1 }
            }
        }
        NormRNNFixtures.expectClose(y, expected, shape: [dft / 2 + 1, bins], tolerance: 1e-6)
    }

    @Test func invalidSignalInputs() {
        K.expectInvalid("must end in 1 (real) or 2 (complex)") {
            try K.run("DFT", opset: 20, inputs: [Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))])
        }
        K.expectInvalid("real/imaginary axis") {
            try K.run("DFT", opset: 20, inputs: [Tensor(shape: [2, 3, 1], scalars: [Float](repeating: 1, count: 6)), nil, Tensor(scalar: Int64(-1))])
        }
        K.expectInvalid("dft_length 0") {
            try K.run("DFT", opset: 17, inputs: [Tensor(shape: [1, 3, 1], scalars: [Float](repeating: 1, count: 3)), Tensor(scalar: Int64(0))])
        }
        K.expectInvalid("longer than the signal") {
            try K.run("STFT", opset: 17, inputs: [Tensor(shape: [1, 4, 1], scalars: [Float](repeating: 1, count: 4)), Tensor(scalar: Int64(1)),
                                                  nil, Tensor(scalar: Int64(8))])
        }
        K.expectInvalid("must not be negative") {
            try K.run("HannWindow", opset: 17, inputs: [Tensor(scalar: Int64(-3))])
        }
        K.expectInvalid("maps past the last") {
            try K.run("MelWeightMatrix", opset: 17, inputs: [Tensor(scalar: Int64(4)), Tensor(scalar: Int64(16)), Tensor(scalar: Int64(100)),
                                                             Tensor(scalar: Float(0)), Tensor(scalar: Float(3000))])
        }
    }
}
