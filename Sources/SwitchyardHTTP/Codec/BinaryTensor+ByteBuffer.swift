import NIOCore
import SwitchyardServing
import SwitchyardTensor

extension BinaryTensor {
    /// Appends `tensor` in binary form.
    static func write(_ tensor: Tensor, to buffer: inout ByteBuffer) {
        let count = byteCount(of: tensor)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { free in
            write(tensor, to: UnsafeMutableRawBufferPointer(rebasing: free[0..<count]))
            return count
        }
    }
}
