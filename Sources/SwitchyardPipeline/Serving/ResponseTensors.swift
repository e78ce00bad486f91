import SwitchyardServing
import SwitchyardTensor
import SwitchyardVision

/// Builds a served pipeline's response tensors from the items its `response` sink received for
/// one request, one row per item (in region order):
///
/// - a `tensor` value: the item's tensor; several items' tensors are joined along dimension 0;
/// - `text`: BYTES = the text, FP32 = its confidence; `label`: BYTES = the label, FP32 = its score;
/// - `quad`: FP32 `[rows, 8]` (x1, y1, … x4, y4); `box`: FP32 `[rows, 4]`;
/// - `number`: any numeric datatype; `string`: BYTES.
///
/// A frame the pipeline filtered out entirely gives zero rows.
enum ResponseTensors {
    static func make(_ outputs: [TensorSpec], from items: [PipelineItem], pipeline: String) throws(ServingError) -> [NamedTensor] {
        try outputs.map { output throws(ServingError) in
            NamedTensor(name: output.name, tensor: try tensor(output, from: items, pipeline: pipeline))
        }
    }

    private static func tensor(_ output: TensorSpec, from items: [PipelineItem], pipeline: String) throws(ServingError) -> Tensor {
        let dataType = DataType(kserveName: output.datatype) ?? .float32
        func fail(_ message: String) -> ServingError {
            .internal("pipeline '\(pipeline)': output '\(output.name)' (value '\(output.valueName)', \(output.datatype)): \(message)")
        }
        let values = try items.map { item throws(ServingError) -> PipelineValue in
            guard let value = item.values[output.valueName] else {
                let present = item.values.keys.sorted().joined(separator: ", ")
                throw fail("\(item.label) reached the response sink without it (it has: \(present)); check the response sink's tensors")
            }
            return value
        }
        guard let first = values.first else { return empty(output, dataType: dataType) }
        switch first {
        case .tensor:
            var tensors: [Tensor] = []
            for value in values {
                guard case .tensor(let tensor) = value else { throw fail("mixes a tensor with \(value.kindName)") }
                tensors.append(tensor)
            }
            guard tensors.allSatisfy({ $0.dataType == dataType }) else {
                throw fail("the pipeline produced \(tensors[0].dataType.kserveName), not \(output.datatype)")
            }
            if tensors.count == 1 { return tensors[0] }
            return try joined(tensors, fail: fail)
        case .quad, .box:
            guard dataType == .float32 else { throw fail("quads and boxes are FP32") }
            let width = if case .quad = first { 8 } else { 4 }
            var floats: [Float] = []
            for value in values {
                switch value {
                case .quad(let quad) where width == 8: floats += quad.points.flatMap { [$0.x, $0.y] }
                case .box(let box) where width == 4: floats += [box.x1, box.y1, box.x2, box.y2]
                default: throw fail("mixes \(first.kindName) with \(value.kindName)")
                }
            }
            return Tensor(shape: [values.count, width], scalars: floats)
        default:
            var strings: [String] = [], numbers: [Double] = []
            for value in values {
                switch (value, dataType) {
                case (.text(let text, _), .string), (.label(let text, _), .string), (.string(let text), .string): strings.append(text)
                case (.text(_, let score), _), (.label(_, let score), _): numbers.append(Double(score))
                case (.number(let number), _) where dataType != .string: numbers.append(number)
                default: throw fail("cannot make \(output.datatype) out of \(value.kindName)")
                }
            }
            if dataType == .string { return Tensor(shape: [strings.count], strings: strings) }
            return Tensor(dataType: dataType, shape: [numbers.count], doubles: numbers)
        }
    }

    /// Tensors with equal trailing dimensions, stacked along dimension 0.
    private static func joined(_ tensors: [Tensor], fail: (String) -> ServingError) throws(ServingError) -> Tensor {
        let trailing = Array(tensors[0].shape.dropFirst())
        guard tensors.allSatisfy({ !$0.shape.isEmpty && Array($0.shape.dropFirst()) == trailing }) else {
            throw fail("the items' tensors have shapes \(tensors.map(\.shape)), which do not stack along dimension 0")
        }
        let rows = tensors.reduce(0) { $0 + $1.shape[0] }
        let dataType = tensors[0].dataType
        if dataType == .string {
            return Tensor(shape: [rows] + trailing, strings: tensors.flatMap(\.strings))
        }
        var bytes: [UInt8] = []
        for tensor in tensors { tensor.withUnsafeBytes { bytes += $0 } }
        return bytes.withUnsafeBytes { Tensor(dataType: dataType, shape: [rows] + trailing, bytes: $0) }
    }

    /// No rows: the declared dims with every variable size 0.
    private static func empty(_ output: TensorSpec, dataType: DataType) -> Tensor {
        let shape = output.dims.isEmpty ? [0] : output.dims.map { $0 < 0 ? 0 : Int($0) }
        return Tensor(zeros: dataType, shape: shape)
    }
}
