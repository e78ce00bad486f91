import CDNNL
import SwitchyardGraph

/// One oneDNN elementwise function `alg(alpha, beta)`.
struct DNNLEltwiseFunction: @unchecked Sendable {
    // @unchecked: `dnnl_alg_kind_t` is an imported C enum (a plain integer).
    let alg: dnnl_alg_kind_t
    var alpha: Float = 0
    var beta: Float = 0
}

/// ONNX activations as chains of oneDNN elementwise functions, applied left to right.
///
/// Log, Softplus and Mish are deliberately absent: oneDNN 2.6's log is off by ~1e-3 relative
/// near 1 (log(1) = -1.4e-6), its soft_relu returns -1.9e-6 for very negative inputs and its
/// mish flushes to zero below about -16 (true values around -1e-6), so the reference kernels
/// compute them. Gelu is kept: its only deviation is in the underflowing tail (absolute error
/// below 2.5e-7 where the result is below 1e-4).
enum DNNLActivations {
    /// The chain computing ONNX operator `opType` with attributes read through `attribute`
    /// (by name, nil when absent); nil when oneDNN has no exact equivalent. Clip is handled by
    /// `clip(min:max:)` because opset 11 moved its bounds to inputs.
    static func chain(opType: String, floatAttribute attribute: (String) -> Float?,
                      stringAttribute: (String) -> String? = { _ in nil }) -> [DNNLEltwiseFunction]? {
        switch opType {
        case "Relu": return [.init(alg: dnnl_eltwise_relu)]
        case "LeakyRelu": return [.init(alg: dnnl_eltwise_relu, alpha: attribute("alpha") ?? 0.01)]
        case "Sigmoid": return [.init(alg: dnnl_eltwise_logistic)]
        case "Tanh": return [.init(alg: dnnl_eltwise_tanh)]
        case "Elu": return [.init(alg: dnnl_eltwise_elu, alpha: attribute("alpha") ?? 1)]
        case "Selu":
            return [.init(alg: dnnl_eltwise_elu, alpha: attribute("alpha") ?? 1.67326319217681884765625),
                    .init(alg: dnnl_eltwise_linear, alpha: attribute("gamma") ?? 1.05070102214813232421875)]
        case "Exp": return [.init(alg: dnnl_eltwise_exp)]
        case "Sqrt": return [.init(alg: dnnl_eltwise_sqrt)]
        case "Abs": return [.init(alg: dnnl_eltwise_abs)]
        case "Neg": return [.init(alg: dnnl_eltwise_linear, alpha: -1)]
        case "Reciprocal": return [.init(alg: dnnl_eltwise_pow, alpha: 1, beta: -1)]
        case "Round": return [.init(alg: dnnl_eltwise_round)]
        case "HardSwish": return [.init(alg: dnnl_eltwise_hardswish)]
        case "HardSigmoid":
            return [.init(alg: dnnl_eltwise_linear, alpha: attribute("alpha") ?? 0.2, beta: attribute("beta") ?? 0.5),
                    .init(alg: dnnl_eltwise_clip_v2, alpha: 0, beta: 1)]
        case "Gelu":
            switch stringAttribute("approximate") ?? "none" {
            case "none": return [.init(alg: dnnl_eltwise_gelu_erf)]
            case "tanh": return [.init(alg: dnnl_eltwise_gelu_tanh)]
            default: return nil
            }
        default: return nil
        }
    }

    /// Clip to `[min, max]`; nil when `min > max` (ONNX then yields `max`, oneDNN `min`).
    static func clip(min: Float, max: Float) -> [DNNLEltwiseFunction]? {
        guard !(min > max) else { return nil }
        return [.init(alg: dnnl_eltwise_clip_v2, alpha: min, beta: max)]
    }

    /// The chain of a fused node's `activation`/`activation_params` attributes (the fused-node
    /// convention); `[]` when there is none, nil when the activation is unknown.
    static func fused(_ node: Node) -> [DNNLEltwiseFunction]? {
        guard case .string(let name)? = node.attributes["activation"] else {
            return node.attributes["activation"] == nil ? [] : nil
        }
        var params: [Float] = []
        switch node.attributes["activation_params"] {
        case .floats(let values)?: params = values
        case .float(let value)?: params = [value]
        case nil: break
        default: return nil
        }
        func param(_ index: Int) -> Float? { index < params.count ? params[index] : nil }
        switch name {
        case "Clip": return clip(min: param(0) ?? -.infinity, max: param(1) ?? .infinity)
        case "LeakyRelu", "Elu": return chain(opType: name, floatAttribute: { $0 == "alpha" ? param(0) : nil })
        case "HardSigmoid":
            return chain(opType: name, floatAttribute: { $0 == "alpha" ? param(0) : $0 == "beta" ? param(1) : nil })
        case "Relu", "Sigmoid", "Tanh", "HardSwish", "Gelu": return chain(opType: name, floatAttribute: { _ in nil })
        case "Swish": return [.init(alg: dnnl_eltwise_swish, alpha: param(0) ?? 1)]
        default: return nil
        }
    }

    /// FakeQuantize as `linear(1/scale) → round → clip → linear(scale)`: oneDNN rounds half to
    /// even like QuantizeLinear; it multiplies by `1 / scale` where ONNX divides, which can move
    /// a value lying on a rounding tie by one step.
    /// The first step is `pow(x, 1)·(1/scale)`, not a second `linear`: oneDNN 2.6 applied the
    /// first linear's alpha to both when one chain held two (measured: outputs off by 1/scale²).
    static func fakeQuantize(_ parameters: FakeQuantization) -> [DNNLEltwiseFunction] {
        [.init(alg: dnnl_eltwise_pow, alpha: 1 / parameters.scale, beta: 1),
         .init(alg: dnnl_eltwise_round),
         .init(alg: dnnl_eltwise_clip_v2, alpha: parameters.lowestStep, beta: parameters.highestStep),
         .init(alg: dnnl_eltwise_linear, alpha: parameters.scale, beta: 0)]
    }

    /// True when `chain` can be one primitive's post-ops: oneDNN 2.6's post-op injector keeps
    /// one eltwise injector per algorithm kind, so a kind used twice with different alpha/beta
    /// would compute both with the first one's (measured: a FakeQuantize chain with two linear
    /// steps was off by 1/scale²).
    static func fitsOnePrimitive(_ chain: [DNNLEltwiseFunction]) -> Bool {
        var seen: [Int: (Float, Float)] = [:]
        for function in chain {
            if let previous = seen[Int(function.alg.rawValue)], previous != (function.alpha, function.beta) { return false }
            seen[Int(function.alg.rawValue)] = (function.alpha, function.beta)
        }
        return true
    }

    /// Appends `chain` to `attributes` as eltwise post-ops.
    static func appendPostOps(_ chain: [DNNLEltwiseFunction], to attributes: DNNLAttributes) throws(DNNLError) {
        for function in chain {
            try attributes.appendEltwise(function.alg, alpha: function.alpha, beta: function.beta)
        }
    }
}

/// A unary elementwise operator in whatever layout its input arrives (blocked layouts
/// included): a chain of several steps (FakeQuantize, or consecutive elementwise nodes a region
/// merged) as one pass, else one oneDNN eltwise primitive per step.
struct DNNLEltwiseOperation: DNNLOperation {
    let opType: String
    /// The chain when it depends on attributes only; nil for Clip from opset 11, whose bounds
    /// are inputs 1 and 2.
    var chain: [DNNLEltwiseFunction]?

    var parameterInputs: Set<Int> { chain == nil ? [1, 2] : [] }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, opType)
        let steps = try chain ?? clipChain(inputs)
        let source = try builder.plainIfSingleChannel(x.slot)
        if steps.count > 1, DNNLActivations.fitsOnePrimitive(steps), let slot = try? onePass(steps, on: source, into: &builder) {
            return [(slot, x.shape)]
        }
        var slot = source
        for function in steps {
            var pd = try eltwise(function, on: builder.desc(slot), engine: builder.engine)
            // oneDNN's jitted eltwise refuses a blocked layout with padding (channels not a
            // multiple of the block) for a function that does not keep 0 at 0 (Sigmoid, a
            // FakeQuantize with a zero point): the padding must stay zero for the primitives
            // that read it. Such a step runs on the plain layout instead of `ref:any`.
            if pd.isReference, !builder.desc(slot).isPlain {
                slot = try builder.plain(slot)
                pd = try eltwise(function, on: builder.desc(slot), engine: builder.engine)
            }
            let output = builder.slot(pd.desc(dnnl_query_dst_md) ?? builder.desc(slot))
            try builder.add(pd, arguments: [(DNNL_ARG_SRC, slot), (DNNL_ARG_DST, output)])
            slot = output
        }
        return [(slot, x.shape)]
    }

    private func eltwise(_ function: DNNLEltwiseFunction, on desc: DNNLMemoryDesc, engine: DNNLEngine) throws -> DNNLPrimitiveDescriptor {
        var op = dnnl_eltwise_desc_t()
        try withUnsafePointer(to: desc.raw) { (data) throws(DNNLError) in
            try dnnlCheck(dnnl_eltwise_forward_desc_init(&op, dnnl_forward_inference, function.alg, data,
                                                         function.alpha, function.beta),
                          "dnnl_eltwise_forward_desc_init(\(opType))")
        }
        return try DNNLPrimitiveDescriptor(op, attributes: DNNLAttributes(), engine: engine, name: "eltwise \(opType)")
    }

    /// The chain in one pass over memory: oneDNN 2.6's eltwise primitive takes no eltwise
    /// post-ops, its binary primitive does, so this multiplies by a broadcast 1 (exact for every
    /// value, signed zeros and NaN included) with the steps as post-ops. Throws when oneDNN has
    /// only its reference implementation for that, which would be slower than separate steps.
    /// oneDNN 2.6 has no jitted binary kernel for blocked layouts (`nChw8c` takes `ref:any`, 130 ms
    /// where a plain one takes 0.08), and an elementwise chain does not care where each element
    /// sits: a blocked value with no padding runs as one flat vector over the same bytes, one
    /// with padding is made plain first (its padding must stay zero, which most chains break).
    private func onePass(_ steps: [DNNLEltwiseFunction], on source: Int, into builder: inout DNNLPlanBuilder) throws -> Int {
        let blocked = builder.desc(source)
        guard !blocked.isPlain else { return try onePassPlain(steps, on: source, into: &builder) }
        let count = blocked.dims.reduce(1, *)
        if blocked.dataType == dnnl_f32, blocked.byteSize == count * MemoryLayout<Float>.size {
            let flat = builder.view(source, as: try .plain([count]))
            return builder.view(try onePassPlain(steps, on: flat, into: &builder), as: blocked)
        }
        return try onePassPlain(steps, on: try builder.plain(source), into: &builder)
    }

    private func onePassPlain(_ steps: [DNNLEltwiseFunction], on source: Int, into builder: inout DNNLPlanBuilder) throws -> Int {
        let src0 = builder.desc(source)
        let one = try builder.constant([1], shape: [Int](repeating: 1, count: src0.dims.count))
        let src1 = builder.desc(one)
        var op = dnnl_binary_desc_t()
        let status = withUnsafePointer(to: src0.raw) { src0Raw in
            withUnsafePointer(to: src1.raw) { src1Raw in
                dnnl_binary_desc_init(&op, dnnl_binary_mul, src0Raw, src1Raw, src0Raw)
            }
        }
        try dnnlCheck(status, "dnnl_binary_desc_init(\(opType) chain)")
        let attributes = try DNNLAttributes()
        try DNNLActivations.appendPostOps(steps, to: attributes)
        let pd = try DNNLPrimitiveDescriptor(op, attributes: attributes, engine: builder.engine, name: "\(opType) chain")
        guard !pd.isReference else {
            throw KernelError.unsupported("\(opType): only oneDNN's reference binary kernel takes this chain")
        }
        let output = builder.slot(pd.desc(dnnl_query_dst_md) ?? src0)
        try builder.add(pd, arguments: [(DNNL_ARG_SRC_0, source), (DNNL_ARG_SRC_1, one), (DNNL_ARG_DST, output)])
        return output
    }

    private func clipChain(_ inputs: [DNNLOperand?]) throws -> [DNNLEltwiseFunction] {
        func bound(_ index: Int, _ fallback: Float) throws -> Float {
            guard let operand = inputs.optional(index) else { return fallback }
            guard let value = operand.value, value.count == 1 else {
                throw KernelError.unsupported("Clip: bound \(index) is not a float scalar known at plan time")
            }
            return value.scalars(as: Float.self)[0]
        }
        guard let chain = DNNLActivations.clip(min: try bound(1, -.infinity), max: try bound(2, .infinity)) else {
            throw KernelError.unsupported("Clip: min > max")
        }
        return chain
    }
}
