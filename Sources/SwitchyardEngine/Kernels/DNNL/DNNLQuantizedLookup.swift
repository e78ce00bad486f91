import CDNNL
import SwitchyardGraph
import SwitchyardTensor

/// `ai.switchyard` QuantizedLookup (`QuantizedLookupFusion`) as a region step: the byte table is
/// read in whatever layout the 8-bit input arrives in (`nhwc` u8 between VNNI convolutions), so
/// a chain of int8 convolutions and the quantized elementwise work between them (PP-OCR's
/// HardSwish, residual Adds) stays in one region instead of leaving oneDNN's layouts at every
/// layer. An input that is not dense is made plain first: a blocked layout's padding would be
/// mapped away from zero (oneDNN expects it to stay zero), and a view into a larger buffer (an
/// in-place concat's part) has gaps that the loop over its bytes must not run through.
struct DNNLQuantizedLookupOperation: DNNLOperation {
    /// The chain's output for every input value, indexed as `QuantizedLookupKernel` documents.
    let table: Tensor
    let inputCount: Int

    var takesIntegerData: Bool { true }

    init?(node: Node) {
        guard case .tensor(let table)? = node.attributes["table"], table.dataType == .uint8 || table.dataType == .int8,
              (1...2).contains(node.inputs.count), table.count == 1 << (8 * node.inputs.count) else { return nil }
        self.table = table
        inputCount = node.inputs.count
    }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let op = QuantizedLookupFusion.opType
        let first = try inputs.required(0, op)
        var sources = [builder.desc(first.slot).isDense ? first.slot : try builder.plain(first.slot)]
        if inputCount == 2 {
            let second = try inputs.required(1, op)
            guard second.shape == first.shape else {
                throw KernelError.unsupported("\(op): inputs \(first.shape) and \(second.shape) broadcast (the reference kernel does that)")
            }
            let layout = builder.desc(sources[0]).withDataType(builder.desc(second.slot).dataType)
            sources.append(try builder.reorder(second.slot, to: layout))
        }
        let types = sources.map { builder.desc($0).dataType }
        guard types.allSatisfy({ $0 == dnnl_u8 || $0 == dnnl_s8 }) else {
            throw KernelError.unsupported("\(op): inputs must be uint8 or int8")
        }
        let outputType: dnnl_data_type_t = table.dataType == .int8 ? dnnl_s8 : dnnl_u8
        let output = builder.slot(builder.desc(sources[0]).withDataType(outputType))
        builder.lookup(sources, into: output, table: Self.byRawBytes(table, signed: types.map { $0 == dnnl_s8 }))
        return [(output, first.shape)]
    }

    /// `table` re-indexed by the inputs' stored bytes: the kernel's index flips an int8's sign
    /// bit, so entry `raw` moves to `raw ^ 0x80` for each signed input.
    static func byRawBytes(_ table: Tensor, signed: [Bool]) -> TensorStorage {
        let flip = signed.reduce(0) { ($0 << 8) | ($1 ? 0x80 : 0) }
        let storage = TensorStorage(uninitializedByteCount: table.count)
        let entries = table.storage.bytes.assumingMemoryBound(to: UInt8.self)
        let arranged = storage.bytes.assumingMemoryBound(to: UInt8.self)
        for raw in 0..<table.count { arranged[raw] = entries[raw ^ flip] }
        return storage
    }
}
