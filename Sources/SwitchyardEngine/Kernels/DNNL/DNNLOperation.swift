import SwitchyardGraph

/// One node's computation expressed as oneDNN primitives. Made by `DNNLKernels.operation(for:)`
/// only for attribute combinations oneDNN computes exactly as the ONNX spec says; shape- or
/// value-dependent limits are found at plan time, when `lower` throws and the node (or region)
/// falls back to the reference kernels.
protocol DNNLOperation: Sendable {
    /// Node input indices whose values, not only shapes, the primitives depend on (Clip's
    /// bounds). The plan cache is keyed by their contents.
    var parameterInputs: Set<Int> { get }

    /// True for the quantized operators, whose data inputs are uint8/int8/int32 tensors, and for
    /// data movement that also moves 8-bit values (Concat, Split, nearest Resize, max pooling);
    /// every other operation takes float32 only.
    var takesIntegerData: Bool { get }

    /// The data input this operation rounds to BF16 before computing (a BF16 convolution's
    /// source), or nil. A value that every reader rounds so may be stored in BF16 by the member
    /// that produces it, which changes no result and halves its bytes.
    var bf16RoundedInput: Int? { get }

    /// True when every output element is a copy of an input element (Concat, Split, nearest
    /// Resize, DepthToSpace): rounding the outputs to BF16 equals rounding the inputs.
    var copiesValues: Bool { get }

    /// Adds this node's primitives to `builder`; `inputs` align with the node's inputs (`nil`
    /// where omitted). Returns the slots of the node's outputs and their logical shapes.
    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])]
}

/// An operation whose primitive can apply elementwise functions to its result as oneDNN
/// post-ops (convolution, binary): the region kernel appends the chains of the elementwise
/// nodes that follow it.
protocol DNNLPostOpFusing: DNNLOperation {
    /// Eltwise post-ops applied last, in order.
    var activation: [DNNLEltwiseFunction] { get set }
}

extension DNNLOperation {
    var parameterInputs: Set<Int> { [] }
    var takesIntegerData: Bool { false }
    var bf16RoundedInput: Int? { nil }
    var copiesValues: Bool { false }
}

extension Array where Element == DNNLOperand? {
    /// Operand `index`, which the node must have.
    func required(_ index: Int, _ op: String) throws(KernelError) -> DNNLOperand {
        guard index < count, let operand = self[index] else {
            throw .invalidArgument("\(op) needs input \(index), which is missing")
        }
        return operand
    }

    /// Operand `index`, or nil when omitted.
    func optional(_ index: Int) -> DNNLOperand? { index < count ? self[index] : nil }
}
