import Foundation

/// Reading and writing NumPy `.npy` arrays (format versions 1, 2 and 3), C order, little-endian.
///
/// Supported element types: `<f2 <f4 <f8`, `|i1 <i2 <i4 <i8`, `|u1 <u2 <u4 <u8`, `|b1` and
/// unicode strings `<U`n. NumPy has no bfloat16, so bfloat16 tensors are written as float32
/// (exactly: every bfloat16 is a float32).
extension Tensor {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the bytes of a `.npy` file.
    public init(npyData data: Data) throws(NumPyError) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == Self.magic else {
            throw .invalid("the data does not start with the .npy magic '\\x93NUMPY'")
        }
        let major = bytes[6]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw .invalid("truncated header (\(data.count) bytes)") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw .unsupported("format version \(major).\(bytes[7]); versions 1, 2 and 3 are supported")
        }
        guard data.count >= headerStart + headerLength else {
            throw .invalid("truncated header: it declares \(headerLength) bytes, the data has \(data.count - headerStart)")
        }
        let headerBytes = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        let headerText: String
        if major == 3 {
            guard let text = String(data: headerBytes, encoding: .utf8) else { throw .invalid("header is not UTF-8") }
            headerText = text
        } else {
            headerText = String(decoding: headerBytes.map { UInt16($0) }, as: UTF16.self)  // latin-1
        }
        let header = try NumPyHeader(parsing: headerText)
        let payload = data.subdata(in: data.startIndex + headerStart + headerLength ..< data.endIndex)
        try self.init(header: header, payload: payload)
    }

    private init(header: NumPyHeader, payload: Data) throws(NumPyError) {
        if header.fortranOrder {
            throw .unsupported("the array is in Fortran (column-major) order; save np.ascontiguousarray(a) instead")
        }
        let element = try NumPyElement(descr: header.descr)
        var count = 1
        for dim in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .invalid("shape \(header.shape) is too large") }
            count = product
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: element.itemSize)
        guard !overflow, payload.count == expected else {
            throw .invalid("shape \(header.shape) of '\(header.descr)' needs \(expected) data bytes, the file has \(payload.count)")
        }
        switch element {
        case .numeric(let dataType):
            var tensor = payload.withUnsafeBytes { Tensor(dataType: dataType, shape: header.shape, bytes: $0) }
            tensor.canonicalizeBoolBytes()
            self = tensor
        case .unicode(let length):
            var strings: [String] = []
            strings.reserveCapacity(count)
            var badCode: (index: Int, code: UInt32)?
            payload.withUnsafeBytes { raw in
                for index in 0..<count where badCode == nil {
                    var scalars = String.UnicodeScalarView()
                    for offset in 0..<length {
                        let code = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: (index * length + offset) * 4, as: UInt32.self))
                        if code == 0 { break }
                        guard let scalar = Unicode.Scalar(code) else {
                            badCode = (index, code)
                            break
                        }
                        scalars.append(scalar)
                    }
                    strings.append(String(scalars))
                }
            }
            if let badCode {
                throw .invalid("string element \(badCode.index) holds invalid code point \(badCode.code)")
            }
            self.init(shape: header.shape, strings: strings)
        }
    }

    /// The tensor as the bytes of a `.npy` file (version 1.0, or 2.0 for very long headers).
    public func npyData() -> Data {
        if dataType == .bfloat16 { return converted(to: .float32).npyData() }
        let descr: String
        var payload: Data
        if dataType == .string {
            let length = Swift.max(1, strings.map { $0.unicodeScalars.count }.max() ?? 1)
            descr = "<U\(length)"
            payload = Data(capacity: count * length * 4)
            for string in strings {
                var codes = string.unicodeScalars.map { $0.value.littleEndian }
                codes += Array(repeating: 0, count: length - codes.count)
                codes.withUnsafeBytes { payload.append(contentsOf: $0) }
            }
        } else {
            descr = NumPyElement.descr(for: dataType)
            payload = withUnsafeBytes { Data($0) }
        }
        let literal = NumPyHeader(descr: descr, shape: shape).literal
        // The header is padded with spaces and ends in '\n' so the data starts 64-byte aligned.
        var version: UInt8 = 1
        var prefixLength = 10
        var padded = literal.utf8.count + 1
        padded += (64 - (prefixLength + padded) % 64) % 64
        if padded > Int(UInt16.max) {
            version = 2
            prefixLength = 12
            padded = literal.utf8.count + 1
            padded += (64 - (prefixLength + padded) % 64) % 64
        }
        var data = Data(Self.magic + [version, 0])
        let length = UInt32(padded)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF)])
        if version == 2 { data.append(contentsOf: [UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]) }
        data.append(contentsOf: Array(literal.utf8))
        data.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: padded - literal.utf8.count - 1))
        data.append(UInt8(ascii: "\n"))
        data.append(payload)
        return data
    }

    /// Reads the `.npy` file at `path`.
    public init(npyFile path: String) throws(NumPyError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        do {
            try self.init(npyData: data)
        } catch {
            switch error {
            case .invalid(let message): throw .invalid("\(path): \(message)")
            case .unsupported(let message): throw .unsupported("\(path): \(message)")
            case .io: throw error
            }
        }
    }

    /// Writes the tensor to `path` as a `.npy` file.
    public func writeNpy(to path: String) throws(NumPyError) {
        do {
            try npyData().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// A `.npy` element type this module reads.
private enum NumPyElement {
    case numeric(DataType)
    /// Fixed-width UTF-32 strings of `length` code points.
    case unicode(length: Int)

    var itemSize: Int {
        switch self {
        case .numeric(let dataType): dataType.byteSize
        case .unicode(let length): length * 4
        }
    }

    init(descr: String) throws(NumPyError) {
        guard let order = descr.first, "<>|=".contains(order) else {
            throw .unsupported("dtype '\(descr)' has no byte order mark")
        }
        let code = String(descr.dropFirst())
        if code.hasPrefix("U"), let length = Int(code.dropFirst()), length >= 0 {
            guard length <= 1 << 24 else { throw .invalid("dtype '\(descr)': strings of \(length) characters") }
            guard order != ">" else { throw .unsupported("dtype '\(descr)' is big-endian; save with a little-endian dtype (a.astype(a.dtype.newbyteorder('<')))") }
            self = .unicode(length: length)
            return
        }
        let types: [String: DataType] = [
            "f2": .float16, "f4": .float32, "f8": .float64, "i1": .int8, "i2": .int16, "i4": .int32,
            "i8": .int64, "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool,
        ]
        guard let dataType = types[code] else {
            throw .unsupported("dtype '\(descr)'; supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 U")
        }
        if order == ">" && dataType.byteSize > 1 {
            throw .unsupported("dtype '\(descr)' is big-endian; save with a little-endian dtype (a.astype(a.dtype.newbyteorder('<')))")
        }
        self = .numeric(dataType)
    }

    static func descr(for dataType: DataType) -> String {
        switch dataType {
        case .float16: "<f2"
        case .float32: "<f4"
        case .float64: "<f8"
        case .int8: "|i1"
        case .int16: "<i2"
        case .int32: "<i4"
        case .int64: "<i8"
        case .uint8: "|u1"
        case .uint16: "<u2"
        case .uint32: "<u4"
        case .uint64: "<u8"
        case .bool: "|b1"
        case .bfloat16, .string: preconditionFailure("\(dataType) is written by npyData() itself")
        }
    }
}
