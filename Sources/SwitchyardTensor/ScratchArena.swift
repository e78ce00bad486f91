#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Memory a kernel needs only while it runs, shared by the kernels one thread runs one after
/// another: a oneDNN region's values between its primitives, and their scratchpads.
///
/// Each region of a run used to keep an arena of its own between runs, so a session held the
/// sum of its regions' arenas where it needs only the largest: YOLOv8n at batch 4 on one
/// thread kept 19.8 MiB in its regions' arenas, the largest of them 13.7 MiB. A session's
/// `BufferPool` installs one arena on each thread that runs it (`BufferPool.withCurrent`) and
/// every region that thread runs uses it.
///
/// Used by one thread at a time: the pool hands an arena to one `withCurrent` at a time. It
/// only grows, to the most one kernel has asked of it, and is freed with its pool.
public final class ScratchArena: @unchecked Sendable {
    // @unchecked: `bytes(atLeast:)` is called by the one thread that holds the arena; only
    // `byteCount`, an atomic, is read from others (the server's memory accounting).
    private var storage: UnsafeMutableRawPointer?
    private let size = Atomic<Int>(0)

    public init() {}

    deinit { storage?.deallocate() }

    /// Bytes allocated now.
    public var byteCount: Int { size.load(ordering: .relaxed) }

    /// At least `count` bytes, 64-byte aligned. They stay valid until the next call on this
    /// arena; a call that grows it frees what earlier calls returned (their contents included).
    public func bytes(atLeast count: Int) -> UnsafeMutableRawPointer {
        if let storage, byteCount >= count { return storage }
        storage?.deallocate()
        let grown = max(count, 1)
        let allocated = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: TensorStorage.alignment)
        storage = allocated
        size.store(grown, ordering: .relaxed)
        return allocated
    }

    /// The calling thread's arena, if a `BufferPool` installed one (`withCurrent`).
    public static var current: ScratchArena? {
        pthread_getspecific(currentArenaKey).map { Unmanaged<ScratchArena>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Runs `body` with this arena as the calling thread's (restoring the previous one after).
    func withCurrent<Result>(_ body: () throws -> Result) rethrows -> Result {
        let previous = pthread_getspecific(currentArenaKey)
        pthread_setspecific(currentArenaKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(currentArenaKey, previous) }
        return try body()
    }
}

/// The thread-specific slot holding the calling thread's arena (unretained: `withCurrent` keeps it alive).
private let currentArenaKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
