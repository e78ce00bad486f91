import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

/// The seeded generator of these tests: every run sees the same "random" inputs.
typealias NeuralNetworkTestRandom = SplitMix64

extension SplitMix64 {
    /// Values in ±[0.1, 1], never zero, so a dropped term always shows.
    mutating func values(_ count: Int) -> [Double] {
        (0..<count).map { _ in
            let magnitude = Double.random(in: 0.1...1, using: &self)
            return Bool.random(using: &self) ? magnitude : -magnitude
        }
    }

    mutating func floats(_ count: Int) -> [Float] { values(count).map { Float($0) } }
}

/// Running one neural-network kernel the way the engine does.
enum NeuralNetworkTestSupport {
    static func run(
        _ opType: String, opset: Int = 22, inputs: [Tensor?], attributes: [String: Attribute] = [:], outputCount: Int = 1
    ) throws -> [Tensor] {
        let kernel = try #require(ReferenceKernels.neuralNetwork[opType], "no kernel for \(opType)")
        let node = Node(
            opType: opType, inputs: inputs.enumerated().map { $1 == nil ? "" : "in\($0)" },
            outputs: (0..<outputCount).map { "out\($0)" }, attributes: attributes)
        return try kernel(OpContext(node: node, opset: opset, inputs: inputs))
    }

    /// Expects `actual` to hold `expected` within a relative-and-absolute tolerance.
    static func expectClose(
        _ actual: Tensor, _ expected: [Double], shape: [Int], tolerance: Double = 1e-4,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.shape == shape, "shape \(actual.shape) != \(shape)", sourceLocation: sourceLocation)
        let values = actual.doubles()
        guard values.count == expected.count else {
            Issue.record("count \(values.count) != \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        var worst = 0.0, worstIndex = 0
        for index in values.indices {
            let error = abs(values[index] - expected[index]) / max(1, abs(expected[index]))
            if !(error <= worst) { worst = error; worstIndex = index }
        }
        #expect(worst <= tolerance, "worst error \(worst) at \(worstIndex): \(values[worstIndex]) vs \(expected[worstIndex])",
                sourceLocation: sourceLocation)
    }

    /// Expects `body` to throw a `KernelError` (and not to crash).
    static func expectKernelError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a KernelError", sourceLocation: sourceLocation)
        } catch is KernelError {
        } catch {
            Issue.record("expected a KernelError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Row-major multi-indices of a shape.
    static func indices(_ shape: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        let count = shape.reduce(1, *)
        if count == 0 { return [] }
        var index = [Int](repeating: 0, count: shape.count)
        for _ in 0..<count {
            result.append(index)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Row-major linear offset of `index` in `shape`.
    static func offset(_ index: [Int], _ shape: [Int]) -> Int {
        zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }
}
