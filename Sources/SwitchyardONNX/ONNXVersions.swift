/// The range of ONNX file versions this build reads: the newest are those ONNX 1.23 writes.
public enum ONNXVersions {
    /// Oldest IR version read: IR 3 is the first with opset imports (ONNX 1.0).
    public static let oldestIRVersion = 3
    /// Newest IR version read (`onnx.IR_VERSION` of ONNX 1.23).
    public static let newestIRVersion = 14
    /// Oldest opset of the default domain read.
    public static let oldestDefaultOpset = 7
    /// Newest opset of the default domain read (`onnx.defs.onnx_opset_version()` of ONNX 1.23).
    public static let newestDefaultOpset = 28
}
