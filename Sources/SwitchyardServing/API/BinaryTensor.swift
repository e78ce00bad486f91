import SwitchyardTensor

/// Tensors as raw bytes, the form both frontends carry them in (HTTP's binary tensor extension,
/// gRPC's `raw_input_contents` / `raw_output_contents`): little-endian row-major elements; a BYTES
/// element is a 4-byte little-endian length followed by its bytes.
public enum BinaryTensor {
    /// The named input held by `bytes`, which must be exactly what the shape and datatype call
    /// for. A BYTES input keeps its elements as sent too (`NamedTensor.rawBytes`): it may be binary
    /// data, such as an encoded image for a pipeline.
    public static func input(
        named name: String, from bytes: UnsafeRawBufferPointer, dataType: DataType, shape: [Int]
    ) throws(ServingError) -> NamedTensor {
        guard dataType == .string else {
            return NamedTensor(name: name, tensor: try tensor(from: bytes, dataType: dataType, shape: shape, input: name))
        }
        let elements = try elements(from: bytes, count: shape.reduce(1, *), input: name)
        return NamedTensor(name: name, tensor: Tensor(shape: shape, strings: elements.map(decodeUTF8)), rawBytes: elements)
    }

    /// The tensor held by `bytes`, which must be exactly the size the shape and datatype call for.
    public static func tensor(from bytes: UnsafeRawBufferPointer, dataType: DataType, shape: [Int], input: String) throws(ServingError) -> Tensor {
        let count = shape.reduce(1, *)
        if dataType == .string {
            return Tensor(shape: shape, strings: try elements(from: bytes, count: count, input: input).map(decodeUTF8))
        }
        let expected = count * dataType.byteSize
        guard bytes.count == expected else {
            throw .invalidArgument("input '\(input)': binary data has \(bytes.count) bytes but shape \(shape) of "
                                   + "\(dataType.kserveName) needs \(expected)")
        }
        var tensor = Tensor(dataType: dataType, shape: shape, bytes: bytes)
        tensor.canonicalizeBoolBytes()
        return tensor
    }

    /// Bytes `tensor` takes in binary form.
    public static func byteCount(of tensor: Tensor) -> Int {
        guard tensor.dataType == .string else { return tensor.byteCount }
        return tensor.strings.reduce(0) { $0 + 4 + $1.utf8.count }
    }

    /// Writes `tensor` in binary form to the start of `buffer`, which holds at least
    /// `byteCount(of: tensor)` bytes.
    public static func write(_ tensor: Tensor, to buffer: UnsafeMutableRawBufferPointer) {
        guard tensor.dataType == .string else {
            tensor.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return
        }
        var offset = 0
        for string in tensor.strings {
            buffer.storeBytes(of: UInt32(string.utf8.count).littleEndian, toByteOffset: offset, as: UInt32.self)
            offset += 4
            for byte in string.utf8 {
                buffer[offset] = byte
                offset += 1
            }
        }
    }

    /// A BYTES tensor's element as text (invalid UTF-8 is replaced, as `String(decoding:)` does).
    public static func decodeUTF8(_ element: [UInt8]) -> String {
        String(decoding: element, as: UTF8.self)
    }

    /// A BYTES tensor's `count` elements, each as sent.
    public static func elements(from bytes: UnsafeRawBufferPointer, count: Int, input: String) throws(ServingError) -> [[UInt8]] {
        var strings: [[UInt8]] = []
        strings.reserveCapacity(min(count, bytes.count / 4))
        var offset = 0
        while strings.count < count {
            guard offset + 4 <= bytes.count else {
                throw .invalidArgument("input '\(input)': binary BYTES data ends after \(strings.count) of \(count) elements")
            }
            let length = Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                             | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
            offset += 4
            guard length <= bytes.count - offset else {
                throw .invalidArgument("input '\(input)': BYTES element \(strings.count) claims \(length) bytes but only "
                                       + "\(bytes.count - offset) remain")
            }
            strings.append(Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])))
            offset += length
        }
        guard offset == bytes.count else {
            throw .invalidArgument("input '\(input)': binary BYTES data has \(bytes.count - offset) bytes left after its \(count) elements")
        }
        return strings
    }

    /// The element count of a request tensor's `shape`, checked: no negative dimension, no
    /// overflow.
    public static func elementCount(of shape: [Int], input: String) throws(ServingError) -> Int {
        var count = 1
        for dim in shape {
            guard dim >= 0 else {
                throw .invalidArgument("input '\(input)': shape dimensions must be non-negative integers, got \(shape)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .invalidArgument("input '\(input)': shape \(shape) has too many elements") }
            count = product
        }
        return count
    }
}
