import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardServing

/// Reads a request body under the size limit and undoes `Content-Encoding: gzip|deflate`.
///
/// The limit applies three times: to the declared `Content-Length` (rejected before reading), to
/// the bytes actually streamed (a chunked body has no declared length), and to the decompressed
/// size, so a small gzip bomb cannot exhaust memory.
enum RequestBodyReader {
    static func read(_ request: Request, limit: Int) async throws(ServingError) -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge(declared, limit: limit)
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(nil, limit: limit)
        } catch {
            throw .invalidArgument("could not read the request body: \(error)")
        }
        let encoding = request.headers[.contentEncoding].map { withoutOptionalWhitespace($0).lowercased() } ?? ""
        switch encoding {
        case "", "identity":
            return body
        case "gzip", "x-gzip":
            return try decompress(&body, algorithm: .gzip(), name: "gzip", limit: limit)
        case "deflate":
            return try decompress(&body, algorithm: .deflate(), name: "deflate", limit: limit)
        default:
            throw .invalidArgument("unsupported Content-Encoding '\(encoding)'; send gzip, deflate or an uncompressed body")
        }
    }

    /// The `Inference-Header-Content-Length` header (any case), nil when absent.
    static func inferenceHeaderLength(_ request: Request) throws(ServingError) -> Int? {
        guard let text = request.headers[inferenceHeaderContentLength] else { return nil }
        guard let value = Int(withoutOptionalWhitespace(text)), value >= 0 else {
            throw .invalidArgument("Inference-Header-Content-Length must be a non-negative integer, got '\(text)'")
        }
        return value
    }

    static let inferenceHeaderContentLength = HTTPField.Name("Inference-Header-Content-Length")!

    /// `value` without leading or trailing spaces and tabs (HTTP's optional whitespace). By hand:
    /// Foundation's `trimmingCharacters(in:)` was a measurable share of a request's CPU on Linux.
    private static func withoutOptionalWhitespace(_ value: String) -> Substring {
        var trimmed = Substring(value)
        while trimmed.first == " " || trimmed.first == "\t" { trimmed.removeFirst() }
        while trimmed.last == " " || trimmed.last == "\t" { trimmed.removeLast() }
        return trimmed
    }

    private static func decompress(
        _ body: inout ByteBuffer, algorithm: CompressionAlgorithm, name: String, limit: Int
    ) throws(ServingError) -> ByteBuffer {
        do {
            return try body.decompress(with: algorithm, maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .payloadTooLarge("the \(name)-decompressed request body exceeds the limit of \(limit) bytes")
        } catch {
            throw .invalidArgument("Content-Encoding is \(name) but the body is not a valid \(name) stream (\(error))")
        }
    }

    private static func tooLarge(_ size: Int?, limit: Int) -> ServingError {
        let got = size.map { " (\($0) bytes)" } ?? ""
        return .payloadTooLarge("the request body\(got) exceeds the limit of \(limit) bytes; raise the server's body limit "
                                + "or send smaller batches")
    }
}
