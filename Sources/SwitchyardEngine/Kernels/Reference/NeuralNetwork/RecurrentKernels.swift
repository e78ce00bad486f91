extension ReferenceKernels {
    /// The recurrent operators.
    static let recurrent: [String: ReferenceKernel] = [
        "RNN": { try RNN.run($0) },
        "GRU": { try GRU.run($0) },
        "LSTM": { try LSTM.run($0) },
    ]
}
