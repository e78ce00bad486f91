import GRPCCore
import SwitchyardServing

extension ServingError {
    /// The gRPC status Triton answers for this failure, with the same message the HTTP frontend
    /// sends. A queue timeout is UNAVAILABLE, as in Triton ("Request timeout expired").
    var rpcError: RPCError {
        let code: RPCError.Code = switch kind {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .unavailable, .deadlineExceeded: .unavailable
        // gRPC's own answer to a message over the size limit is RESOURCE_EXHAUSTED too.
        case .resourceExhausted, .payloadTooLarge: .resourceExhausted
        case .internal: .internalError
        }
        return RPCError(code: code, message: message)
    }
}
