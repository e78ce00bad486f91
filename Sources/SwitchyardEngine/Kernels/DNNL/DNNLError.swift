import CDNNL

/// A oneDNN call that did not return `dnnl_success`: which call, and the status it returned.
struct DNNLError: Error, Sendable, CustomStringConvertible {
    let call: String
    let status: UInt32

    var description: String {
        "oneDNN \(call) failed with status \(Self.statusName(status))"
    }

    /// The kernel error a graph run reports; the engine adds the node name and op type.
    var kernelError: KernelError { .unsupported(description) }

    private static func statusName(_ raw: UInt32) -> String {
        switch dnnl_status_t(rawValue: raw) {
        case dnnl_out_of_memory: "out_of_memory"
        case dnnl_invalid_arguments: "invalid_arguments"
        case dnnl_unimplemented: "unimplemented"
        case dnnl_iterator_ends: "iterator_ends"
        case dnnl_runtime_error: "runtime_error"
        case dnnl_not_required: "not_required"
        default: "\(raw)"
        }
    }
}

/// Throws a `DNNLError` naming `call` unless `status` is `dnnl_success`.
@inline(__always)
func dnnlCheck(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws(DNNLError) {
    if status != dnnl_success { throw DNNLError(call: call(), status: status.rawValue) }
}
