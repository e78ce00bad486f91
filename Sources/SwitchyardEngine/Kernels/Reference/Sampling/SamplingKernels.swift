extension ReferenceKernels {
    /// Operators that sample or scatter image data at computed coordinates.
    static let sampling: [String: ReferenceKernel] = [
        "GridSample": { try GridSample.run($0) },
        "AffineGrid": { try AffineGrid.run($0) },
        "Col2Im": { try Col2Im.run($0) },
        "RoiAlign": { try RoiAlign.run($0) },
        "DeformConv": { try DeformConv.run($0) },
    ]
}
