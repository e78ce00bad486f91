import Foundation

/// The memory behind one or more tensors: a 64-byte aligned byte buffer (what oneDNN wants),
/// or an array of Swift strings for `string` tensors. Shared by value-semantic `Tensor`s and
/// copied on write.
///
/// Threading: immutable once published. A `Tensor` mutates its storage only when it holds the
/// sole reference (checked with `isKnownUniquelyReferenced`), so sharing across threads is safe.
public final class TensorStorage: @unchecked Sendable {
    /// Alignment of every allocation: one cache line, and what AVX-512 loads want.
    public static let alignment = 64

    public let byteCount: Int
    public let bytes: UnsafeMutableRawPointer
    /// Borrowed bytes that belong to another tensor: a tensor over them copies before its first
    /// write, even when it is their only holder.
    public let isReadOnly: Bool
    var strings: [String]
    private let owner: AnyObject?
    private let ownsBytes: Bool
    /// The pool the bytes came from and go back to (large buffers allocated during a session's run).
    private let pool: BufferPool?

    /// Allocates `byteCount` zeroed bytes.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        (bytes, pool) = Self.allocate(byteCount)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        strings = []
        owner = nil
        ownsBytes = true
        isReadOnly = false
    }

    /// Allocates `byteCount` bytes without clearing them; the caller writes every byte.
    public init(uninitializedByteCount byteCount: Int) {
        self.byteCount = byteCount
        (bytes, pool) = Self.allocate(byteCount)
        strings = []
        owner = nil
        ownsBytes = true
        isReadOnly = false
    }

    /// Wraps memory that `owner` keeps alive (a memory-mapped file, an arena, another tensor's
    /// storage). No copy is made. With `readOnly`, tensors over it copy before writing (`isReadOnly`).
    public init(borrowing bytes: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject, readOnly: Bool = false) {
        self.byteCount = byteCount
        self.bytes = bytes
        strings = []
        self.owner = owner
        ownsBytes = false
        pool = nil
        isReadOnly = readOnly
    }

    init(strings: [String]) {
        byteCount = 0
        bytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: Self.alignment)
        self.strings = strings
        owner = nil
        ownsBytes = true
        pool = nil
        isReadOnly = false
    }

    deinit {
        guard ownsBytes else { return }
        if let pool { pool.giveBack(bytes, byteCount: byteCount) } else { bytes.deallocate() }
    }

    /// `byteCount` bytes from the calling thread's pool when it has one and the buffer is large,
    /// else from the allocator.
    private static func allocate(_ byteCount: Int) -> (UnsafeMutableRawPointer, BufferPool?) {
        guard byteCount >= BufferPool.minimumBytes, let pool = BufferPool.current else {
            return (UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: alignment), nil)
        }
        return (pool.take(byteCount: byteCount) ?? UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment), pool)
    }

    func copy() -> TensorStorage {
        if byteCount == 0 && !strings.isEmpty { return TensorStorage(strings: strings) }
        let new = TensorStorage(uninitializedByteCount: byteCount)
        new.bytes.copyMemory(from: bytes, byteCount: byteCount)
        return new
    }
}
