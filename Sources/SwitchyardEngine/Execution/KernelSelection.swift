import SwitchyardGraph

/// The one place that decides which kernel runs each node.
enum KernelSelection {
    /// The kernel for `node`: a oneDNN kernel when one is available and the options allow it,
    /// the reference kernel otherwise; `nil` when the engine cannot run the node at all.
    static func kernel(for node: Node, opset: Int, options: SessionOptions) -> KernelFunction? {
        if !options.referenceOnly, let accelerated = acceleratedKernel(for: node, opset: opset) {
            return accelerated
        }
        return ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
    }

    /// oneDNN-backed kernels (`DNNLKernels`, branch `dnnl`) are consulted here; until that
    /// registry is merged, no node has an accelerated kernel and every node runs on the
    /// reference kernels.
    private static func acceleratedKernel(for node: Node, opset: Int) -> KernelFunction? {
        nil
    }
}
