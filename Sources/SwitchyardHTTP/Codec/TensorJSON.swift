import SwitchyardServing
import SwitchyardTensor

/// Tensors as KServe JSON `data`: flat or nested row-major arrays in; flat arrays out.
enum TensorJSON {
    /// The tensor that `data` describes. The number of leaves must equal the shape's element
    /// count, and each leaf must be a JSON value of the datatype (a boolean for BOOL, an integer
    /// literal in range for integer types, a number for floating types, a string for BYTES).
    static func tensor(from data: JSONValue, dataType: DataType, shape: [Int], input: String) throws(ServingError) -> Tensor {
        guard case .array = data else {
            throw .invalidArgument("input '\(input)': 'data' must be an array, got \(data.typeName)")
        }
        let expected = shape.reduce(1, *)
        let count = leafCount(data)
        guard count == expected else {
            throw .invalidArgument("input '\(input)': shape \(shape) holds \(expected) elements but 'data' has \(count)")
        }
        let context = Context(input: input, dataType: dataType)
        switch dataType {
        case .bool: return try fill(data, shape, context, boolean)
        case .uint8: return try fill(data, shape, context, integer(UInt8.self))
        case .uint16: return try fill(data, shape, context, integer(UInt16.self))
        case .uint32: return try fill(data, shape, context, integer(UInt32.self))
        case .uint64: return try fill(data, shape, context, integer(UInt64.self))
        case .int8: return try fill(data, shape, context, integer(Int8.self))
        case .int16: return try fill(data, shape, context, integer(Int16.self))
        case .int32: return try fill(data, shape, context, integer(Int32.self))
        case .int64: return try fill(data, shape, context, integer(Int64.self))
        case .float16: return try fill(data, shape, context, float16)
        case .bfloat16: return try fill(data, shape, context, bfloat16)
        case .float32: return try fill(data, shape, context, float32)
        case .float64: return try fill(data, shape, context, finite)
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(count)
            try collectStrings(data, into: &strings, context)
            return Tensor(shape: shape, strings: strings)
        }
    }

    /// Writes `tensor`'s elements as one flat JSON array.
    static func write(_ tensor: Tensor, to writer: inout JSONWriter) {
        writer.raw("[")
        switch tensor.dataType {
        case .bool: writeElements(tensor, Bool.self, &writer) { $1.bool($0) }
        case .uint8: writeElements(tensor, UInt8.self, &writer) { $1.integer($0) }
        case .uint16: writeElements(tensor, UInt16.self, &writer) { $1.integer($0) }
        case .uint32: writeElements(tensor, UInt32.self, &writer) { $1.integer($0) }
        case .uint64: writeElements(tensor, UInt64.self, &writer) { $1.integer($0) }
        case .int8: writeElements(tensor, Int8.self, &writer) { $1.integer($0) }
        case .int16: writeElements(tensor, Int16.self, &writer) { $1.integer($0) }
        case .int32: writeElements(tensor, Int32.self, &writer) { $1.integer($0) }
        case .int64: writeElements(tensor, Int64.self, &writer) { $1.integer($0) }
        case .float16: writeElements(tensor, Float16.self, &writer) { $1.number(Float($0)) }
        case .bfloat16: writeElements(tensor, BFloat16.self, &writer) { $1.number($0.floatValue) }
        case .float32: writeElements(tensor, Float.self, &writer) { $1.number($0) }
        case .float64: writeElements(tensor, Double.self, &writer) { $1.number($0) }
        case .string:
            for (index, string) in tensor.strings.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.string(string)
            }
        }
        writer.raw("]")
    }

    // MARK: Decoding

    private struct Context {
        var input: String
        var dataType: DataType
    }

    private static func leafCount(_ value: JSONValue) -> Int {
        guard case .array(let elements) = value else { return 1 }
        var count = 0
        for element in elements {
            if case .array = element { count += leafCount(element) } else { count += 1 }
        }
        return count
    }

    private static func fill<T: TensorScalar>(
        _ data: JSONValue, _ shape: [Int], _ context: Context, _ convert: (JSONValue) -> T?
    ) throws(ServingError) -> Tensor {
        var tensor = Tensor(uninitialized: T.dataType, shape: shape)
        let result = tensor.withUnsafeMutableBufferPointer(of: T.self) { buffer -> Result<Void, ServingError> in
            var index = 0
            return Result { () throws(ServingError) in try store(data, buffer, &index, context, convert) }
        }
        try result.get()
        return tensor
    }

    private static func store<T>(
        _ value: JSONValue, _ buffer: UnsafeMutableBufferPointer<T>, _ index: inout Int,
        _ context: Context, _ convert: (JSONValue) -> T?
    ) throws(ServingError) {
        if case .array(let elements) = value {
            for element in elements { try store(element, buffer, &index, context, convert) }
            return
        }
        guard let converted = convert(value) else { throw mismatch(value, at: index, context) }
        buffer[index] = converted
        index += 1
    }

    private static func collectStrings(_ value: JSONValue, into strings: inout [String], _ context: Context) throws(ServingError) {
        switch value {
        case .array(let elements):
            for element in elements { try collectStrings(element, into: &strings, context) }
        case .string(let string):
            strings.append(string)
        default:
            throw mismatch(value, at: strings.count, context)
        }
    }

    private static func integer<T: FixedWidthInteger>(_ type: T.Type) -> (JSONValue) -> T? {
        { value in
            switch value {
            case .int(let v): T(exactly: v)
            case .uint(let v): T(exactly: v)
            default: nil
            }
        }
    }

    private static func boolean(_ value: JSONValue) -> Bool? {
        if case .bool(let flag) = value { return flag }
        return nil
    }

    private static func float16(_ value: JSONValue) -> Float16? {
        finite(value).flatMap { finiteOrNil(Float16($0)) }
    }

    private static func bfloat16(_ value: JSONValue) -> BFloat16? {
        finite(value).flatMap { finiteOrNil(Float($0)) }.map(BFloat16.init)
    }

    private static func float32(_ value: JSONValue) -> Float? {
        finite(value).flatMap { finiteOrNil(Float($0)) }
    }

    private static func finite(_ value: JSONValue) -> Double? {
        value.doubleValue.flatMap { $0.isFinite ? $0 : nil }
    }

    private static func finiteOrNil<F: BinaryFloatingPoint>(_ value: F) -> F? {
        value.isFinite ? value : nil
    }

    private static func mismatch(_ value: JSONValue, at index: Int, _ context: Context) -> ServingError {
        let name = context.dataType.kserveName
        let shown: String
        switch value {
        case .int(let v): shown = "\(v)"
        case .uint(let v): shown = "\(v)"
        case .double(let v): shown = "\(v)"
        case .bool(let v): shown = "\(v)"
        default: shown = value.typeName
        }
        let expectation: String
        switch context.dataType {
        case .bool: expectation = "BOOL data must be true or false"
        case .string: expectation = "BYTES data must be strings"
        case .float16, .bfloat16, .float32, .float64: expectation = "\(name) data must be finite numbers in range"
        default: expectation = "\(name) data must be integers in the type's range (no fraction or exponent)"
        }
        return .invalidArgument("input '\(context.input)': element \(index) is \(shown), not a valid \(name) value; \(expectation)")
    }

    // MARK: Encoding

    private static func writeElements<T: TensorScalar>(
        _ tensor: Tensor, _ type: T.Type, _ writer: inout JSONWriter, _ write: (T, inout JSONWriter) -> Void
    ) {
        tensor.withUnsafeBufferPointer(of: T.self) { elements in
            for index in elements.indices {
                if index > 0 { writer.raw(",") }
                write(elements[index], &writer)
            }
        }
    }
}
