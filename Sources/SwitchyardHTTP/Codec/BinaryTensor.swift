import NIOCore
import SwitchyardServing
import SwitchyardTensor

/// Tensors in the binary tensor extension: little-endian row-major bytes; BYTES elements are a
/// 4-byte little-endian length followed by the bytes.
enum BinaryTensor {
    /// The tensor held by `bytes`, which must be exactly the size the shape and datatype call for.
    static func tensor(from bytes: UnsafeRawBufferPointer, dataType: DataType, shape: [Int], input: String) throws(ServingError) -> Tensor {
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
    static func byteCount(of tensor: Tensor) -> Int {
        guard tensor.dataType == .string else { return tensor.byteCount }
        return tensor.strings.reduce(0) { $0 + 4 + $1.utf8.count }
    }

    /// Appends `tensor` in binary form.
    static func write(_ tensor: Tensor, to buffer: inout ByteBuffer) {
        guard tensor.dataType == .string else {
            tensor.withUnsafeBytes { _ = buffer.writeBytes($0) }
            return
        }
        for string in tensor.strings {
            buffer.writeInteger(UInt32(string.utf8.count), endianness: .little)
            buffer.writeString(string)
        }
    }

    /// A BYTES tensor's elements as text (invalid UTF-8 is replaced, as `String(decoding:)` does).
    static func decodeUTF8(_ element: [UInt8]) -> String {
        String(decoding: element, as: UTF8.self)
    }

    /// A BYTES tensor's `count` elements, each as sent.
    static func elements(from bytes: UnsafeRawBufferPointer, count: Int, input: String) throws(ServingError) -> [[UInt8]] {
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
}
