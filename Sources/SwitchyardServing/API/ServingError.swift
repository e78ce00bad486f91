/// Why the server could not serve a request or a repository action. Each case maps to one
/// KServe/Triton status (HTTP code, gRPC status) in the frontends; the message is shown to the
/// client as is, so it must say what was wrong and, where it can, what to do.
public struct ServingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request is malformed or does not fit the model (HTTP 400).
        case invalidArgument
        /// No such model, version, input or route (HTTP 404).
        case notFound
        /// The model exists but cannot serve now: not loaded, loading failed, shutting down (HTTP 503).
        case unavailable
        /// The model's queue is full or the memory budget is exhausted (HTTP 503).
        case resourceExhausted
        /// The request's timeout passed before it ran (HTTP 504... Triton answers 400; see frontends).
        case deadlineExceeded
        /// The request body is larger than the configured limit (HTTP 413).
        case payloadTooLarge
        /// A failure inside the server (HTTP 500).
        case `internal`
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func invalidArgument(_ message: String) -> ServingError { .init(.invalidArgument, message) }
    public static func notFound(_ message: String) -> ServingError { .init(.notFound, message) }
    public static func unavailable(_ message: String) -> ServingError { .init(.unavailable, message) }
    public static func resourceExhausted(_ message: String) -> ServingError { .init(.resourceExhausted, message) }
    public static func deadlineExceeded(_ message: String) -> ServingError { .init(.deadlineExceeded, message) }
    public static func payloadTooLarge(_ message: String) -> ServingError { .init(.payloadTooLarge, message) }
    public static func `internal`(_ message: String) -> ServingError { .init(.internal, message) }
}
