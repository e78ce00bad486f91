/// A plan step the engine computes with its own C kernel over slot buffers, where oneDNN 2.6 has
/// no fast primitive: a quantized elementwise body, a softmax over a strided axis, a depthwise
/// int8 convolution.
protocol DNNLKernelStep: Sendable {
    /// Every slot the step reads.
    var sources: [Int] { get }
    /// The slot the step writes.
    var destination: Int { get }
    /// Runs the step with each slot's buffer at `address(slot)`, on an OpenMP team of `threads`.
    func run(threads: Int, address: (Int) -> UnsafeMutableRawPointer)
}
