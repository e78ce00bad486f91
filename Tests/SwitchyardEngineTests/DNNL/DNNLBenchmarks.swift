import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Timings of the oneDNN convolution paths. Not a test: runs only with SWITCHYARD_DNNL_BENCH=1
/// and prints its measurements: the median over timed calls, after warm-up, of the calling
/// thread's CPU time (with one OpenMP thread oneDNN computes on the calling thread, and CPU time
/// is not inflated by other processes competing for the cores, unlike wall time).
@Suite("DNNL benchmarks", .enabled(if: ProcessInfo.processInfo.environment["SWITCHYARD_DNNL_BENCH"] != nil))
struct DNNLBenchmarks {
    static let channels = 64, size = 56

    static func median(_ repeats: Int = 20, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<3 { try body() }
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = threadCPUSeconds()
            try body()
            times.append(threadCPUSeconds() - start)
        }
        return times.sorted()[repeats / 2]
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func convNode(_ index: Int, input: String) -> Node {
        Node(name: "conv\(index)", opType: "Conv", inputs: [input, "w\(index)", "b\(index)"], outputs: ["c\(index)"],
             attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])])
    }

    @Test("3x3 conv 64->64 at 56x56: plain vs blocked, per node vs region")
    func convolution() throws {
        var generator = SeededGenerator(seed: 81)
        let c = Self.channels, s = Self.size
        let flops = 2.0 * Double(c * c * 9 * s * s)
        let x = generator.tensor([1, c, s, s])
        var constants: [String: Tensor] = [:]
        for index in 0..<4 {
            constants["w\(index)"] = generator.tensor([c, c, 3, 3], in: -0.1...0.1)
            constants["b\(index)"] = generator.tensor([c])
        }
        let node = Self.convNode(0, input: "x")
        let inputs: [Tensor?] = [x, constants["w0"], constants["b0"]]

        func report(_ label: String, _ seconds: Double, convs: Int = 1, _ kernel: DNNLRegionKernel) {
            let perConv = seconds / Double(convs)
            print(String(format: "%@: %.3f ms per conv, %.1f GFLOP/s", label, perConv * 1e3, flops / perConv / 1e9)
                  + " [\(kernel.implementationNames.joined(separator: ", "))]")
        }

        let blocked = try #require(DNNLKernels.makeKernel(for: node, opset: 11, constants: constants))
        report("per-node, oneDNN layouts (reorders in and out)", try Self.median { _ = try blocked.run(inputs) }, blocked)

        var plainOperation = try #require(DNNLKernels.operation(for: node, opset: 11) as? DNNLConvolutionOperation)
        plainOperation.plainActivations = true
        let plain = DNNLRegionKernel(members: [.init(node: node, opset: 11, operation: plainOperation)],
                                     inputNames: node.inputs, outputNames: node.outputs, constants: constants, threads: 1,
                                     packedWeights: PackedWeights())
        report("per-node, plain nchw", try Self.median { _ = try plain.run(inputs) }, plain)

        // A chain of four Conv+Relu: one region keeps the intermediates blocked.
        var nodes: [Node] = []
        var previous = "x"
        for index in 0..<4 {
            nodes.append(Self.convNode(index, input: previous))
            nodes.append(Node(name: "relu\(index)", opType: "Relu", inputs: ["c\(index)"], outputs: ["r\(index)"]))
            previous = "r\(index)"
        }
        let graph = Graph(name: "chain", nodes: nodes, inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: previous)],
                          initializers: constants)
        let perNodeProgram = try GraphProgram(graph: graph, opsets: ["": 13], outerNames: []) { node, opset in
            DNNLKernels.kernel(for: node, opset: opset, constants: constants)
        }
        let perNode = try Self.median(10) { _ = try perNodeProgram.run(inputs: [x]) }
        print(String(format: "chain of 4 Conv+Relu, per-node kernels: %.3f ms (%.3f ms per conv)", perNode * 1e3, perNode / 4 * 1e3))

        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: ["": 13])
        let region = try #require(DNNLKernels.makeKernel(for: partitioned.nodes[0], opset: 1, constants: constants))
        let regionInputs = partitioned.nodes[0].inputs.map { $0 == "x" ? x : constants[$0] }
        let regional = try Self.median(10) { _ = try region.run(regionInputs) }
        print(String(format: "chain of 4 Conv+Relu, one region: %.3f ms (%.3f ms per conv)", regional * 1e3, regional / 4 * 1e3)
              + " [\(region.implementationNames.joined(separator: ", "))]")
    }
}
