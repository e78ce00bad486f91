import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Helpers for the movement and indexing kernel tests: running one node, seeded random data,
/// and plain coordinate arithmetic for computing expected values independently of the kernels.
enum MovementTestKit {
    /// Runs the registered reference kernel for `op` on `inputs`.
    static func run(
        _ op: String, opset: Int = 18, _ inputs: [Tensor?], attributes: [String: Attribute] = [:],
        outputs: Int = 1
    ) throws -> [Tensor] {
        guard let kernel = ReferenceKernels.kernel(opType: op, domain: "") else {
            throw KernelError.unsupported("no reference kernel for \(op)")
        }
        let node = Node(opType: op, inputs: inputs.indices.map { inputs[$0] == nil ? "" : "in\($0)" },
                        outputs: (0..<outputs).map { "out\($0)" }, attributes: attributes)
        return try kernel(OpContext(node: node, opset: opset, inputs: inputs))
    }

    /// The first output of `run`.
    static func run1(
        _ op: String, opset: Int = 18, _ inputs: [Tensor?], attributes: [String: Attribute] = [:]
    ) throws -> Tensor {
        try run(op, opset: opset, inputs, attributes: attributes)[0]
    }

    typealias Generator = SplitMix64

    /// Random non-zero floats in [-10, -0.5] ∪ [0.5, 10].
    static func floats(_ count: Int, _ generator: inout Generator) -> [Float] {
        (0..<count).map { _ in
            let magnitude = Float.random(in: 0.5...10, using: &generator)
            return Bool.random(using: &generator) ? magnitude : -magnitude
        }
    }

    /// Distinct non-zero int64 values (so every element is recognisable after a move).
    static func distinctInt64s(_ count: Int, _ generator: inout Generator) -> [Int64] {
        let base = Int64.random(in: 1...1_000, using: &generator)
        return (0..<count).map { base + Int64($0) * 7 + 1 }.shuffled(using: &generator)
    }

    static func randomFloatTensor(_ shape: [Int], _ generator: inout Generator) -> Tensor {
        Tensor(shape: shape, scalars: floats(shape.reduce(1, *), &generator))
    }

    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { result[axis] = result[axis + 1] * shape[axis + 1] }
        return result
    }

    static func coordinate(_ linear: Int, _ shape: [Int]) -> [Int] {
        zip(strides(shape), shape).map { (linear / $0) % $1 }
    }

    static func linear(_ coordinate: [Int], _ shape: [Int]) -> Int {
        zip(coordinate, strides(shape)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// An int64 tensor.
    static func int64s(_ values: [Int], shape: [Int]? = nil) -> Tensor {
        Tensor(shape: shape ?? [values.count], scalars: values.map(Int64.init))
    }

    /// True when `body` throws a `KernelError` (as opposed to succeeding or crashing).
    static func throwsKernelError(_ body: () throws -> Any) -> Bool {
        do { _ = try body(); return false } catch is KernelError { return true } catch { return false }
    }

    /// The message of the `KernelError` that `body` throws, or nil.
    static func kernelErrorMessage(_ body: () throws -> Any) -> String? {
        do { _ = try body(); return nil } catch let error as KernelError { return error.description } catch { return nil }
    }
}
