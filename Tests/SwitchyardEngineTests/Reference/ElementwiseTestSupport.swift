import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Helpers shared by the elementwise and reduction kernel tests: a seeded generator, running a
/// single node through the reference registry, and a naive broadcasting oracle written with
/// explicit coordinates (independent of the kernels' row plans).
enum ElementwiseTestSupport {
    /// SplitMix64: deterministic across platforms, so failures reproduce.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Random non-zero floats in `[-range, -0.05] ∪ [0.05, range]`.
    static func nonZeroFloats(_ count: Int, range: Float = 3, generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in
            let magnitude = Float.random(in: 0.05...range, using: &generator)
            return Bool.random(using: &generator) ? magnitude : -magnitude
        }
    }

    /// Random non-zero integers in `[-range, range]`.
    static func nonZeroInts(_ count: Int, range: Int64 = 50, generator: inout SeededGenerator) -> [Int64] {
        (0..<count).map { _ in
            let magnitude = Int64.random(in: 1...range, using: &generator)
            return Bool.random(using: &generator) ? magnitude : -magnitude
        }
    }

    /// Runs one node of `opType` through `ReferenceKernels`.
    static func run(
        _ opType: String, _ inputs: [Tensor?], attributes: [String: Attribute] = [:], opset: Int = 21
    ) throws -> [Tensor] {
        let node = Node(opType: opType, inputs: inputs.indices.map { inputs[$0] == nil ? "" : "x\($0)" },
                        outputs: ["y"], attributes: attributes)
        guard let kernel = ReferenceKernels.kernel(opType: opType, domain: "") else {
            throw KernelError.unsupported("no kernel for \(opType)")
        }
        return try kernel(OpContext(node: node, opset: opset, inputs: inputs))
    }

    /// The single output of one node.
    static func run1(
        _ opType: String, _ inputs: [Tensor?], attributes: [String: Attribute] = [:], opset: Int = 21
    ) throws -> Tensor {
        try run(opType, inputs, attributes: attributes, opset: opset)[0]
    }

    /// `f` over the broadcast of `shapes`, computed coordinate by coordinate: for each output
    /// coordinate every operand reads coordinate 0 along its size-1 axes.
    static func broadcastReference<T, O>(
        _ operands: [(shape: [Int], values: [T])], _ f: ([T]) -> O
    ) -> (shape: [Int], values: [O]) {
        let rank = operands.map(\.shape.count).max() ?? 0
        let padded = operands.map { [Int](repeating: 1, count: rank - $0.shape.count) + $0.shape }
        let shape = (0..<rank).map { axis in padded.map { $0[axis] }.first { $0 != 1 } ?? 1 }
        let count = shape.reduce(1, *)
        var values: [O] = []
        for linear in 0..<count {
            var remainder = linear
            var coordinate = [Int](repeating: 0, count: rank)
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                coordinate[axis] = remainder % shape[axis]
                remainder /= shape[axis]
            }
            let arguments = operands.indices.map { index -> T in
                var offset = 0
                for axis in 0..<rank {
                    let size = padded[index][axis]
                    offset = offset * size + (size == 1 ? 0 : coordinate[axis])
                }
                return operands[index].values[offset]
            }
            values.append(f(arguments))
        }
        return (shape, values)
    }

    /// True when `actual` and `expected` agree within `tolerance` relative (absolute near 0);
    /// NaNs must match NaNs.
    static func close(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-5) -> Bool {
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).allSatisfy { a, e in
            if e.isNaN { return a.isNaN }
            if e.isInfinite { return a == e }
            return abs(a - e) <= tolerance * max(1, abs(e))
        }
    }
}
