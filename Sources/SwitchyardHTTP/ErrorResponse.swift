import Hummingbird
import NIOCore
import SwitchyardServing

extension ServingError.Kind {
    /// The HTTP status Triton answers for this kind of failure. A queue timeout is 503: Triton
    /// rejects it as UNAVAILABLE ("Request timeout expired"), and clients retry on 503.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalidArgument: .badRequest
        case .notFound: .notFound
        case .unavailable, .resourceExhausted, .deadlineExceeded: .serviceUnavailable
        case .payloadTooLarge: .contentTooLarge
        case .internal: .internalServerError
        }
    }
}

/// Turns every error a route throws into KServe's `{"error": "..."}` body with the matching
/// status, including Hummingbird's own (unknown route → 404, body too large → 413).
struct KServeErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServingError {
            return KServeResponse.error(error.message, status: error.kind.httpStatus)
        } catch let error as HTTPError {
            let message = error.body ?? "\(error.status.reasonPhrase) (\(request.method) \(request.uri.path))"
            return KServeResponse.error(message, status: error.status)
        } catch is NIOTooManyBytesError {
            return KServeResponse.error("request body exceeds the server's limit", status: .contentTooLarge)
        } catch let error as any HTTPResponseError {
            return KServeResponse.error("\(error)", status: error.status)
        } catch {
            context.logger.error("unexpected error serving \(request.method) \(request.uri.path): \(error)")
            return KServeResponse.error("internal error: \(error)", status: .internalServerError)
        }
    }
}

/// Response builders shared by the routes.
enum KServeResponse {
    static func json(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        var writer = JSONWriter(capacity: message.utf8.count + 16)
        writer.raw("{")
        writer.key("error")
        writer.string(message)
        writer.raw("}")
        return json(writer, status: status)
    }

    /// 200 with an empty body (Triton's answer to health, ready, load and unload).
    static func empty(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status)
    }
}
