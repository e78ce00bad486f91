import CDNNL
import SwitchyardGraph
import SwitchyardTensor

/// `ai.switchyard` QuantizedElementwise (`QuantizedElementwiseFusion`) as a region step: its
/// body compiled to a register program that `switchyard_quantized_elementwise` runs block by block
/// over the 8-bit inputs, in the layout the first arrives in when that is plain or channels-last
/// (`nhwc` u8 between VNNI convolutions), so the feature pyramid's sums stay in the region's
/// layout. Float inputs hold one value per item and channel; other broadcasts are the reference
/// kernel's (the body run node by node).
struct DNNLQuantizedElementwiseOperation: DNNLOperation {
    /// How a node input is read: dequantized 8-bit data, or float values per item and channel.
    enum Input: Sendable {
        case bytes(scale: Float, zeroPoint: Float, signed: Bool)
        case floats
    }

    let inputs: [Input]
    let program: QuantizedElementwiseProgram

    var takesIntegerData: Bool { true }

    init?(node: Node) {
        guard case .graph(let body)? = node.attributes["body"], body.inputs.count == node.inputs.count,
              let quantize = body.nodes.last, quantize.opType == "QuantizeLinear",
              let output = Self.parameters(quantize, in: body) else { return nil }
        var inputs = [Input](repeating: .floats, count: body.inputs.count)
        var aliases: [String: String] = [:]
        for dequantize in body.nodes where dequantize.opType == "DequantizeLinear" {
            guard let position = body.inputs.firstIndex(where: { $0.name == dequantize.inputs[0] }),
                  case .floats = inputs[position], let parameters = Self.parameters(dequantize, in: body) else { return nil }
            inputs[position] = .bytes(scale: parameters.scale, zeroPoint: parameters.zeroPoint, signed: parameters.signed)
            aliases[dequantize.outputs[0]] = dequantize.inputs[0]
        }
        // Registers: the 8-bit inputs first, then the float inputs (the C kernel's order).
        let bytes = inputs.indices.filter { if case .bytes = inputs[$0] { true } else { false } }
        let floats = inputs.indices.filter { if case .floats = inputs[$0] { true } else { false } }
        guard bytes.count <= Int(SWITCHYARD_QE_MAX_INPUTS), floats.count <= Int(SWITCHYARD_QE_MAX_INPUTS) else { return nil }
        let order = bytes + floats
        var registers: [String: Int32] = [:]
        for (register, position) in order.enumerated() { registers[body.inputs[position].name] = Int32(register) }
        for (alias, source) in aliases { registers[alias] = registers[source] }
        var steps: [switchyard_qe_step] = []
        for member in body.nodes.dropLast() where member.opType != "DequantizeLinear" {
            guard member.outputs.count == 1, let step = Self.step(member, registers: registers,
                                                                  out: Int32(order.count + steps.count)) else { return nil }
            steps.append(step)
            registers[member.outputs[0]] = step.out
        }
        guard let result = registers[quantize.inputs[0]], !steps.isEmpty else { return nil }
        self.inputs = inputs
        program = QuantizedElementwiseProgram(inputOrder: order, steps: steps, registerCount: order.count + steps.count,
                                              result: result, outputScale: output.scale, outputZeroPoint: output.zeroPoint,
                                              outputSigned: output.signed)
    }

    func lower(_ operands: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let op = QuantizedElementwiseFusion.opType
        let values = try operands.indices.map { try operands.required($0, op) }
        let shape = try ShapeMath.broadcast(values.map(\.shape))
        guard shape.count >= 2, let firstBytes = program.inputOrder.first, case .bytes = inputs[firstBytes] else {
            throw KernelError.unsupported("\(op): output \(shape) has no channel axis")
        }
        let spatial = shape.dropFirst(2).reduce(1, *)
        // The 8-bit inputs share one layout: the first's when it is dense plain or channels-last.
        let first = builder.desc(values[firstBytes].slot)
        var layout = try DNNLMemoryDesc.plain(shape, type: first.dataType)
        var channelsLast = spatial == 1
        if first.isDense, let isChannelsLast = first.isChannelsLast {
            layout = first
            channelsLast = channelsLast || isChannelsLast
        }
        var byteSlots: [Int] = [], floatSlots: [Int] = []
        var byteInputs: [DNNLQuantizedElementwiseStep.ByteInput] = []
        var floatStrides: [(batch: Int, channel: Int)] = []
        for position in program.inputOrder {
            let value = values[position]
            switch inputs[position] {
            case .bytes(let scale, let zeroPoint, let signed):
                guard value.shape == shape else {
                    throw KernelError.unsupported("\(op): 8-bit input \(value.shape) broadcasts to \(shape)")
                }
                let type = builder.desc(value.slot).dataType
                guard type == (signed ? dnnl_s8 : dnnl_u8) else {
                    throw KernelError.unsupported("\(op): input \(position) is not \(signed ? "int8" : "uint8")")
                }
                byteSlots.append(try builder.reorder(value.slot, to: layout.withDataType(type)))
                byteInputs.append(.init(scale: scale, zeroPoint: zeroPoint, signed: signed))
            case .floats:
                let aligned = [Int](repeating: 1, count: shape.count - value.shape.count) + value.shape
                guard aligned.dropFirst(2).allSatisfy({ $0 == 1 }), aligned[0] == 1 || aligned[0] == shape[0],
                      aligned[1] == 1 || aligned[1] == shape[1], builder.desc(value.slot).dataType == dnnl_f32 else {
                    throw KernelError.unsupported("\(op): float input \(value.shape) is not one value per item and channel")
                }
                floatSlots.append(try builder.plain(value.slot))
                floatStrides.append((aligned[0] == 1 ? 0 : aligned[1], aligned[1] == 1 ? 0 : 1))
            }
        }
        let output = builder.slot(layout.withDataType(program.outputSigned ? dnnl_s8 : dnnl_u8))
        let step = DNNLQuantizedElementwiseStep(
            program: program, byteSlots: byteSlots, byteInputs: byteInputs, floatSlots: floatSlots, floatStrides: floatStrides,
            destination: output, batch: shape[0], channels: shape[1], spatial: spatial, channelsLast: channelsLast)
        builder.kernel(step, work: builder.desc(output).byteSize * program.steps.count)
        return [(output, shape)]
    }

    /// A per-tensor QuantizeLinear's or DequantizeLinear's scale, zero point and signedness,
    /// read from `body`'s constants.
    private static func parameters(_ node: Node, in body: Graph) -> (scale: Float, zeroPoint: Float, signed: Bool)? {
        guard node.inputs.count >= 2, let scale = body.initializers[node.inputs[1]], scale.dataType == .float32,
              scale.count == 1 else { return nil }
        guard node.inputs.count >= 3, !node.inputs[2].isEmpty else { return (scale.scalars(as: Float.self)[0], 0, false) }
        guard let zeroPoint = body.initializers[node.inputs[2]], zeroPoint.count == 1,
              zeroPoint.dataType == .uint8 || zeroPoint.dataType == .int8 else { return nil }
        return (scale.scalars(as: Float.self)[0], Float(zeroPoint.int64s()[0]), zeroPoint.dataType == .int8)
    }

    /// The C kernel's step for each float operator it computes (`QuantizedElementwiseFusion.computed`).
    static let opcodes: [String: switchyard_qe_opcode] = [
        "Add": SWITCHYARD_QE_ADD, "Sub": SWITCHYARD_QE_SUB, "Mul": SWITCHYARD_QE_MUL, "Div": SWITCHYARD_QE_DIV,
        "Relu": SWITCHYARD_QE_RELU, "HardSigmoid": SWITCHYARD_QE_HARD_SIGMOID,
    ]

    /// The program step computing `node` into register `out`.
    private static func step(_ node: Node, registers: [String: Int32], out: Int32) -> switchyard_qe_step? {
        guard let opcode = opcodes[node.opType], let a = node.inputs.first.flatMap({ registers[$0] }) else { return nil }
        var b: Int32 = 0, p0: Float = 0, p1: Float = 0
        switch node.opType {
        case "Relu":
            break
        case "HardSigmoid":
            p0 = 0.2
            p1 = 0.5
            for (name, attribute) in node.attributes {
                guard case .float(let value) = attribute else { return nil }
                switch name {
                case "alpha": p0 = value
                case "beta": p1 = value
                default: return nil
                }
            }
        default:
            guard node.inputs.count == 2, let second = registers[node.inputs[1]] else { return nil }
            b = second
        }
        return switchyard_qe_step(op: Int32(opcode.rawValue), out: out, a: a, b: b, p0: p0, p1: p1)
    }
}

/// A compiled QuantizedElementwise body: the C kernel's steps and its input and output parameters.
struct QuantizedElementwiseProgram: Sendable {
    /// Node input positions in register order (8-bit inputs first).
    let inputOrder: [Int]
    let steps: [switchyard_qe_step]
    let registerCount: Int
    let result: Int32
    let outputScale: Float
    let outputZeroPoint: Float
    let outputSigned: Bool
}

/// One run of a compiled QuantizedElementwise over a region's slots (a `DNNLStep.kernel`).
struct DNNLQuantizedElementwiseStep: DNNLKernelStep {
    struct ByteInput: Sendable {
        let scale: Float
        let zeroPoint: Float
        let signed: Bool
    }

    let program: QuantizedElementwiseProgram
    let byteSlots: [Int]
    let byteInputs: [ByteInput]
    let floatSlots: [Int]
    let floatStrides: [(batch: Int, channel: Int)]
    let destination: Int
    let batch: Int
    let channels: Int
    let spatial: Int
    let channelsLast: Bool

    /// Every slot the step reads.
    var sources: [Int] { byteSlots + floatSlots }

    func run(threads: Int, address: (Int) -> UnsafeMutableRawPointer) {
        var job = switchyard_qe_job()
        job.batch = batch
        job.channels = channels
        job.spatial = spatial
        job.channels_last = channelsLast ? 1 : 0
        job.byte_inputs = Int32(byteSlots.count)
        job.float_inputs = Int32(floatSlots.count)
        for (index, (slot, input)) in zip(byteSlots, byteInputs).enumerated() {
            Self.set(&job.bytes, index, UnsafePointer(address(slot).assumingMemoryBound(to: UInt8.self)))
            Self.set(&job.byte_scale, index, input.scale)
            Self.set(&job.byte_zero, index, input.zeroPoint)
            Self.set(&job.byte_signed, index, Int32(input.signed ? 1 : 0))
        }
        for (index, slot) in floatSlots.enumerated() {
            Self.set(&job.floats, index, UnsafePointer(address(slot).assumingMemoryBound(to: Float.self)))
            Self.set(&job.float_batch_stride, index, floatStrides[index].batch)
            Self.set(&job.float_channel_stride, index, floatStrides[index].channel)
        }
        job.registers = Int32(program.registerCount)
        job.step_count = Int32(program.steps.count)
        job.result = program.result
        job.output = address(destination).assumingMemoryBound(to: UInt8.self)
        job.output_scale = program.outputScale
        job.output_zero = program.outputZeroPoint
        job.output_signed = program.outputSigned ? 1 : 0
        program.steps.withUnsafeBufferPointer { steps in
            job.steps = steps.baseAddress
            switchyard_quantized_elementwise(&job, Int32(threads))
        }
    }

    /// Element `index` of a C fixed-size array (imported as a homogeneous tuple).
    private static func set<Tuple, Element>(_ tuple: inout Tuple, _ index: Int, _ value: Element) {
        withUnsafeMutableBytes(of: &tuple) { bytes in
            precondition((index + 1) * MemoryLayout<Element>.stride <= bytes.count, "a C array index is out of range")
            bytes.baseAddress!.assumingMemoryBound(to: Element.self)[index] = value
        }
    }
}
