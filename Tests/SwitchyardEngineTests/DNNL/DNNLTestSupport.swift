import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

extension SeededGenerator {
    /// A float32 tensor of `shape` with values in `range`, none closer to zero than 0.05.
    mutating func tensor(_ shape: [Int], in range: ClosedRange<Float> = -1...1) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { _ -> Float in
            var value: Float
            repeat { value = Float.random(in: range, using: &self) } while abs(value) < 0.05
            return value
        }
        return Tensor(shape: shape, scalars: values)
    }
}

/// Runs nodes through the oneDNN kernel and the reference kernel and compares the results.
enum DNNLHarness {
    /// Largest `|dnnl - reference| / max(|reference|, 1)` over all elements: relative error for
    /// magnitudes of 1 and more, absolute error below (where relative error is meaningless).
    static func maxError(_ actual: Tensor, _ expected: Tensor) -> Float {
        let a = actual.scalars(as: Float.self), e = expected.scalars(as: Float.self)
        var worst: Float = 0
        for (x, y) in zip(a, e) {
            if x.isNaN && y.isNaN { continue }
            if x == y { continue }
            let error = abs(x - y) / max(abs(y), 1)
            worst = error.isNaN ? .infinity : max(worst, error)  // NaN on one side only
        }
        return worst
    }

    /// Runs `node` on `inputs` with the DNNL kernel (inputs at `constantIndices` passed as
    /// initializers, i.e. prepacked) and returns its output and the kernel.
    static func runDNNL(_ node: Node, opset: Int, inputs: [Tensor?], constantIndices: Set<Int> = [],
                        threads: Int = 1) throws -> (Tensor, DNNLRegionKernel) {
        var constants: [String: Tensor] = [:]
        for index in constantIndices where index < inputs.count && index < node.inputs.count { if let tensor = inputs[index] { constants[node.inputs[index]] = tensor } }
        let kernel = try #require(DNNLKernels.makeKernel(for: node, opset: opset, constants: constants, threads: threads),
                                  "no DNNL kernel for \(node.opType) \(node.attributes.keys.sorted())")
        let outputs = try kernel.run(inputs)
        return (try #require(outputs.first), kernel)
    }

    /// Runs `node` with its reference kernel.
    static func runReference(_ node: Node, opset: Int, inputs: [Tensor?]) throws -> Tensor {
        let kernel = try #require(ReferenceKernels.kernel(opType: node.opType, domain: node.domain),
                                  "no reference kernel for \(node.opType) yet")
        return try #require(try kernel(OpContext(node: node, opset: opset, inputs: inputs)).first)
    }

    /// Checks that the DNNL kernel runs `node` with oneDNN (no fallback) and matches
    /// `expected` (default: the reference kernel) within `tolerance`.
    static func check(_ node: Node, opset: Int, inputs: [Tensor?], constantIndices: Set<Int> = [],
                      expected: Tensor? = nil, tolerance: Float = 1e-4, threads: Int = 1,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (actual, kernel) = try runDNNL(node, opset: opset, inputs: inputs, constantIndices: constantIndices, threads: threads)
        // The oneDNN region must run (its primitives, or its own vectorized steps such as the
        // strided softmax), unless all oneDNN offers is a scalar `ref:any` implementation, which
        // the engine refuses in favour of its own kernels.
        let refusedSlowImplementation = kernel.fallbackReason?.contains("only oneDNN's slow 'ref") ?? false
        #expect(kernel.fallbackReason == nil || refusedSlowImplementation,
                "\(node.opType) fell back to the reference kernel for \(inputs.map { $0?.shape ?? [] }): \(kernel.fallbackReason ?? "")",
                sourceLocation: sourceLocation)
        let reference = try expected ?? runReference(node, opset: opset, inputs: inputs)
        #expect(actual.shape == reference.shape, "shape \(actual.shape) vs \(reference.shape)", sourceLocation: sourceLocation)
        guard actual.shape == reference.shape else { return }
        let error = maxError(actual, reference)
        #expect(error <= tolerance, "\(node.opType) \(inputs.map { $0?.shape ?? [] }): max error \(error)",
                sourceLocation: sourceLocation)
    }

    /// A node named after its op with inputs `in0, in1, …` (`""` where `omitted`) and output `out`.
    static func node(_ opType: String, domain: String = "", inputs count: Int, omitted: Set<Int> = [],
                     attributes: [String: Attribute] = [:]) -> Node {
        Node(name: opType, opType: opType, domain: domain,
             inputs: (0..<count).map { omitted.contains($0) ? "" : "in\($0)" }, outputs: ["out"], attributes: attributes)
    }
}
