import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Helpers for the normalization and recurrent kernel tests: seeded random data, running one
/// reference kernel on a single node, and comparing with expected values.
enum NormRNNFixtures {
    typealias SeededGenerator = SplitMix64

    /// `count` values in `range`, none closer to zero than 0.05.
    static func values(_ count: Int, in range: ClosedRange<Double> = -2...2,
                       using generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in
            var value = 0.0
            repeat { value = Double.random(in: range, using: &generator) } while abs(value) < 0.05
            return value
        }
    }

    static func tensor(_ shape: [Int], _ values: [Double], _ type: DataType = .float32) -> Tensor {
        Tensor(dataType: type, shape: shape, doubles: values)
    }

    /// Runs the reference kernel for `opType` on one node with the given inputs (`nil` for an
    /// omitted optional input) and `outputs` output names (`""` for omitted ones).
    static func run(
        _ opType: String, opset: Int, inputs: [Tensor?], attributes: [String: Attribute] = [:],
        outputs: [String] = ["Y"]
    ) throws -> [Tensor] {
        let kernel = try #require(ReferenceKernels.kernel(opType: opType, domain: ""))
        let node = Node(opType: opType, inputs: inputs.enumerated().map { $1 == nil ? "" : "in\($0)" },
                        outputs: outputs, attributes: attributes)
        return try kernel(OpContext(node: node, opset: opset, inputs: inputs))
    }

    /// Expects `tensor` to have `shape` and elements within `tolerance` (absolute plus the same
    /// relative) of `expected`.
    static func expectClose(
        _ tensor: Tensor, _ expected: [Double], shape: [Int], tolerance: Double = 1e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(tensor.shape == shape, "shape \(tensor.shape), expected \(shape)", sourceLocation: sourceLocation)
        let actual = tensor.doubles()
        guard actual.count == expected.count else {
            Issue.record("\(actual.count) elements, expected \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        var worst = (index: -1, error: 0.0)
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            let error = abs(a - e) / (1 + abs(e))
            if !(error <= worst.error) { worst = (index, error.isNaN ? .infinity : error) }
        }
        #expect(worst.error <= tolerance,
                "element \(worst.index): \(worst.index >= 0 ? actual[worst.index] : 0) vs expected \(worst.index >= 0 ? expected[worst.index] : 0)",
                sourceLocation: sourceLocation)
    }

    /// Expects running the kernel to throw `KernelError.invalidArgument` whose message contains
    /// `fragment`.
    static func expectInvalid(
        _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> [Tensor]
    ) {
        do {
            _ = try body()
            Issue.record("expected invalidArgument containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch KernelError.invalidArgument(let message) {
            #expect(message.contains(fragment), "message: \(message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}
