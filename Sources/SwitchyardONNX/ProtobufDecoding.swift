import SwiftProtobuf

/// Shared protobuf parsing settings and error wording for models and test data.
enum ProtobufDecoding {
    static var options: BinaryDecodingOptions {
        var options = BinaryDecodingOptions()
        // Loop bodies inside If branches inside Loops nest deeply; 100 levels is swift-protobuf's
        // default and ample for real models.
        options.messageDepthLimit = 100
        options.discardUnknownFields = true
        return options
    }

    /// Why bytes did not parse, in words a user can act on.
    static func reason(_ error: any Error, size: Int) -> String {
        switch error as? BinaryDecodingError {
        case .truncated?: "the protobuf data ends early (\(size) bytes): the file is truncated or was not fully copied"
        case .malformedProtobuf?: "the \(size) bytes are not valid protobuf data (another format, or a damaged file)"
        case .invalidUTF8?: "a string field holds invalid UTF-8: the file is damaged or not ONNX"
        case .messageDepthLimit?: "messages nest more than 100 levels deep"
        case .trailingGarbage?: "there are extra bytes after the protobuf data"
        default: "protobuf decoding failed: \(error)"
        }
    }
}
