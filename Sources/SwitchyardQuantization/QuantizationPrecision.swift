/// The precision `Quantizer` converts a model to.
public enum QuantizationPrecision: String, Sendable, CaseIterable, Codable {
    /// Float weights stored as IEEE half floats, cast back to FP32 for compute.
    case fp16
    /// Float weights stored as bfloat16, cast back to FP32 for compute.
    case bf16
    /// Static post-training INT8: calibrated activation ranges, QDQ graph.
    case int8
    /// Weights-only INT8 for MatMul/Gemm; activations quantized at run time.
    case int8Dynamic = "int8-dynamic"
}

/// How activation ranges are chosen from calibration data.
public enum CalibrationMethod: String, Sendable, CaseIterable, Codable {
    /// The observed minimum and maximum.
    case minmax
    /// Clips |x| at a percentile of its distribution (`QuantizationOptions.percentile`).
    case percentile
    /// Clips |x| at the threshold that minimises the KL divergence between the FP32 histogram
    /// and its quantized form (TensorRT's and ONNX Runtime's entropy calibration).
    case entropy
}

/// Element type of quantized activations.
public enum ActivationType: String, Sendable, CaseIterable, Codable {
    /// uint8, asymmetric (zero point 0…255): ONNX Runtime's U8S8, fast on AVX2 (`vpmaddubsw`).
    case u8
    /// int8, asymmetric (zero point −128…127): ONNX Runtime's S8S8.
    case s8
}

/// Everything `Quantizer` needs besides the model and the calibration samples.
public struct QuantizationOptions: Sendable {
    public var precision: QuantizationPrecision
    public var method: CalibrationMethod
    /// Percentile of |x| kept by `.percentile` calibration, in percent (e.g. 99.99).
    public var percentile: Double
    /// One weight scale per tensor instead of one per output channel.
    public var perTensor: Bool
    public var activations: ActivationType
    /// Op types or node names to keep in FP32.
    public var exclude: [String]
    /// BF16: op types or node names whose weights are stored as FP16 and computed in FP32 — half
    /// the bytes, FP32's speed where BF16 compute loses to it (the speed gate's choice).
    public var fp16Storage: [String] = []
    /// Threads for the calibration runs.
    public var threads: Int
    /// How many bits of each int8 weight are used.
    public var weightRange: WeightRange
    /// Static INT8, FP16 and BF16: keep in FP32 the fewest layers needed to meet an accuracy
    /// target on held-out data (`quantize --validation DIR --max-drop X`).
    public var gate: AccuracyGateOptions?
    /// How image files in the calibration folder become input tensors (`--preprocess`); nil when
    /// it holds `.npy` arrays.
    public var preprocess: ImagePreprocessing?
    /// Static INT8: a convolution followed only by a SiLU or a HardSwish is quantized after the
    /// activation (one rounding, where the next layer reads it; the engine computes the
    /// activation inside the int8 convolution) instead of at its own output and again after the
    /// activation (`quantize --quantize-before-activation`, ONNX Runtime's placement). After keeps
    /// YOLOv8 far closer to FP32 and saves PP-OCR a float pass per HardSwish.
    public var quantizeAfterActivation = true

    public init(
        precision: QuantizationPrecision, method: CalibrationMethod = .minmax, percentile: Double = 99.99,
        perTensor: Bool = false, activations: ActivationType = .u8, exclude: [String] = [],
        threads: Int = 1, weightRange: WeightRange = .forThisCPU, gate: AccuracyGateOptions? = nil,
        preprocess: ImagePreprocessing? = nil
    ) {
        self.gate = gate
        self.preprocess = preprocess
        self.precision = precision
        self.method = method
        self.percentile = percentile
        self.perTensor = perTensor
        self.activations = activations
        self.exclude = exclude
        self.threads = threads
        self.weightRange = weightRange
    }
}
