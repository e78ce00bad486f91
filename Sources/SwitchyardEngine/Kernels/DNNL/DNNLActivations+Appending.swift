import CDNNL

extension DNNLActivations {
    /// `chain` followed by `next`, with a `linear` step that meets another `linear` composed
    /// into one (`a2·(a1·x + b1) + b2 = (a2·a1)·x + (a2·b1 + b2)`): a scale then a shift is one
    /// post-op, and oneDNN 2.6 cannot hold two differing steps of one kind (`fitsOnePrimitive`).
    static func appending(_ next: [DNNLEltwiseFunction], to chain: [DNNLEltwiseFunction]) -> [DNNLEltwiseFunction] {
        guard let last = chain.last, let first = next.first,
              last.alg == dnnl_eltwise_linear, first.alg == dnnl_eltwise_linear else { return chain + next }
        let composed = DNNLEltwiseFunction(alg: dnnl_eltwise_linear, alpha: first.alpha * last.alpha,
                                           beta: first.alpha * last.beta + first.beta)
        return chain.dropLast() + [composed] + next.dropFirst()
    }
}
