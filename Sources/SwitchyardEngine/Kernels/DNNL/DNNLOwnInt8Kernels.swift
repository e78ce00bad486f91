import CDNNL

// What the engine's own int8 convolution kernels (`DNNLQuantizedNarrowConvolution`, `DNNLQuantizedDepthwise`)
// share.

extension DNNLWindow {
    /// A window those kernels take: 2-D, dense (dilation 1), each begin padding inside the filter,
    /// and at most `SWITCHYARD_DW_MAX_KERNEL` filter rows.
    var fitsOwnInt8Kernels: Bool {
        kernel.count == 2 && kernel[0] <= Int(SWITCHYARD_DW_MAX_KERNEL) && dilations.allSatisfy { $0 == 1 }
            && strides.allSatisfy { $0 >= 1 } && zip(padBegin, kernel).allSatisfy { $0 >= 0 && $0 < $1 }
    }
}

extension Optional where Wrapped == [Int32] {
    /// Calls `body` with the array's base address, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
