import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Helpers for the quantization and signal-processing tests: running one kernel of any domain
/// and building seeded random data.
enum QuantizationTestKit {
    typealias Generator = SeededGenerator

    static func run(
        _ opType: String, domain: String = "", opset: Int, inputs: [Tensor?],
        attributes: [String: Attribute] = [:], outputs: [String] = ["Y"]
    ) throws -> [Tensor] {
        let kernel = try #require(ReferenceKernels.kernel(opType: opType, domain: domain))
        let node = Node(opType: opType, domain: domain, inputs: inputs.enumerated().map { $1 == nil ? "" : "in\($0)" },
                        outputs: outputs, attributes: attributes)
        return try kernel(OpContext(node: node, opset: opset, inputs: inputs))
    }

    /// `count` random integers of `type` in `range`.
    static func integers(_ type: DataType, _ shape: [Int], in range: ClosedRange<Int64>, using generator: inout Generator) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(dataType: type, shape: shape, int64s: (0..<count).map { _ in Int64.random(in: range, using: &generator) })
    }

    /// Random float32 values in `range`, none closer to zero than 0.05 (the range must reach
    /// beyond ±0.05).
    static func floats(_ shape: [Int], in range: ClosedRange<Double> = -3...3, using generator: inout Generator) -> Tensor {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ in
            var value = 0.0
            repeat { value = Double.random(in: range, using: &generator) } while abs(value) < 0.05
            return value
        }
        return Tensor(dataType: .float32, shape: shape, doubles: values)
    }

    /// Random positive float32 values in `range` (scales), which may lie below 0.05.
    static func scales(_ shape: [Int], in range: ClosedRange<Double>, using generator: inout Generator) -> Tensor {
        precondition(range.lowerBound > 0)
        let count = shape.reduce(1, *)
        return Tensor(dataType: .float32, shape: shape, doubles: (0..<count).map { _ in Double.random(in: range, using: &generator) })
    }

    /// Round half to even, clamp to `[low, high]`.
    static func saturate(_ value: Double, _ low: Double, _ high: Double) -> Double {
        min(max(value.rounded(.toNearestOrEven), low), high)
    }

    static func expectInvalid(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> [Tensor]) {
        NormRNNFixtures.expectInvalid(fragment, sourceLocation: sourceLocation, body)
    }
}
