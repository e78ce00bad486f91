import SwitchyardTensor

/// Computes one node: takes its context (node, opset, inputs) and returns its outputs in order.
/// It may return fewer than `node.outputs` when the trailing ones are optional and omitted.
/// Reference kernels and oneDNN-backed kernels share this signature, so a plan can swap one for
/// the other node by node.
public typealias KernelFunction = @Sendable (OpContext) throws -> [Tensor]
