import SwitchyardGraph
import SwitchyardTensor

/// How the engine runs the quantized layers of a QDQ model (`LoadOptions.quantizedExecution`).
/// Every mode computes the QDQ model's numbers (within one quantization step of ONNX Runtime on
/// the same file); they differ in speed only.
public enum QuantizedExecution: String, Sendable, CaseIterable {
    /// Int8 where `Int8CostRule` says int8 beats float on this CPU, the float path elsewhere.
    case automatic
    /// Every DequantizeLinear → Conv/MatMul → QuantizeLinear oneDNN computes exactly runs as an
    /// int8 primitive, and elementwise work between 8-bit tensors as table lookups.
    case integer
    /// Every quantized layer runs in float: weights dequantized once at load time, each
    /// activation's QuantizeLinear → DequantizeLinear as a FakeQuantize post-op.
    case float

    /// True when the passes that compute a QDQ model's 8-bit values in integers (tables, byte
    /// moves) have work in `graph`: oneDNN has int8 kernels here, this mode allows integers and
    /// the graph quantizes something.
    func rewritesQuantizedValues(in graph: Graph) -> Bool {
        DNNLInt8Support.isAvailable && self != .float
            && graph.nodes.contains { $0.opType == "QuantizeLinear" && QDQFusion.isONNX($0) }
    }
}

/// Which quantized layers run as oneDNN int8 primitives under `QuantizedExecution.automatic`.
///
/// Measured on AVX2 without VNNI (oneDNN 2.6, ONEDNN_VERBOSE, PP-OCRv4 rec, one thread;
/// BENCHMARKS.md "INT8 on this CPU"): a dense int8 convolution (`jit_uni_int8_1x1`,
/// `jit_uni_int8`) takes 0.43–0.66× the time of the float one, from 8 to 960 input channels;
/// an int8 depthwise convolution takes 1.13–1.61× (oneDNN has no depthwise-specific int8 kernel
/// for AVX2 here, while its float `jit_dw` is one); int8 matrix products 0.7–0.9×. Every int8
/// layer also pays reorders at its float neighbours (its input quantized, its output
/// dequantized, plain ↔ `nhwc` layouts), about as much as a short reduction saves, so a dense
/// layer runs in int8 only when its reduction (input channels per group × kernel window) is
/// long. With VNNI (4× per multiply-add) every exact layer does.
enum Int8CostRule {
    /// Shortest reduction (input channels per group × kernel window, or a matrix product's
    /// depth) run in int8 without VNNI.
    static let shortestReductionWithoutVNNI = 64

    /// True when a convolution with weights of `weightShape` (`[M, C/group, k...]`) and `group`
    /// groups should run in int8 under `mode`.
    static func convolutionRunsInteger(weightShape: [Int], group: Int, mode: QuantizedExecution) -> Bool {
        switch mode {
        case .integer: return true
        case .float: return false
        case .automatic:
            if DNNLInt8Support.hasVNNI { return true }
            return group == 1 && weightShape.dropFirst().reduce(1, *) >= shortestReductionWithoutVNNI
        }
    }

    /// True when a matrix product reducing over `depth` should run in int8 under `mode`.
    static func matMulRunsInteger(depth: Int, mode: QuantizedExecution) -> Bool {
        switch mode {
        case .integer: return true
        case .float: return false
        case .automatic: return DNNLInt8Support.hasVNNI || depth >= shortestReductionWithoutVNNI
        }
    }
}
