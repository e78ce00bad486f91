extension ReferenceKernels {
    /// The signal-processing operators: Fourier transforms, windows and the mel filter bank.
    static let signal: [String: ReferenceKernel] = [
        "DFT": { try DFTKernel.run($0) },
        "STFT": { try STFTKernel.run($0) },
        "HannWindow": { try WindowFunctionKernel.hann($0) },
        "HammingWindow": { try WindowFunctionKernel.hamming($0) },
        "BlackmanWindow": { try WindowFunctionKernel.blackman($0) },
        "MelWeightMatrix": { try MelWeightMatrixKernel.run($0) },
    ]
}
