#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Large buffers kept between the runs of one session, for the tensors the next run allocates.
///
/// A run allocates and frees the same large buffers every time: the values between its kernels,
/// a oneDNN region's outputs. glibc hands such frees back to the system (a thread's arena drops
/// or shrinks an emptied heap; buffers over 32 MiB are mappings of their own), so the next run
/// faults every page in again. Measured on PP-OCRv4 rec INT8 at batch 8: about 3,000 page faults
/// a run and 15 % of its time on one thread.
///
/// `TensorStorage` draws its buffers of at least `minimumBytes` from the pool installed on the
/// calling thread (`withCurrent`) and gives them back when it is freed, on whatever thread. A
/// buffer no run has given back during the last `keptRuns` runs is freed (`endRun`), so a pool
/// holds about what its recent runs allocate (`keptBytes`, which the server's memory accounting
/// reads), not every batch size a load-time profile tried. At most `limitBytes`
/// and `maximumEntries` buffers wait in any case, and the rest are freed when the pool goes (after
/// its session and every tensor it allocated). Weights loaded outside a run never come from a
/// pool, so unloading a model returns them to the system.
///
/// The pool also keeps one `ScratchArena` for each thread that runs its session at once, and
/// installs one on the calling thread with the pool.
public final class BufferPool: Sendable {
    /// Buffers smaller than this go straight to the allocator, which reuses them well.
    public static let minimumBytes = 1 << 20
    /// Most buffers kept, so `take` stays a short scan.
    public static let maximumEntries = 64
    /// Runs a buffer is kept for after it was last given back.
    public static let keptRuns = 2

    /// Bytes kept at most.
    public let limitBytes: Int

    private struct Entry {
        var byteCount: Int
        /// The buffer's address (a raw pointer is not `Sendable`; the pool owns the buffer).
        var address: UInt
        /// `State.runs` when it was given back.
        var run: Int
    }

    private struct State {
        /// Oldest first.
        var entries: [Entry] = []
        var bytes = 0
        /// Runs ended so far.
        var runs = 0
        /// Every arena made, and those no thread holds now.
        var arenas: [ScratchArena] = []
        var idleArenas: [ScratchArena] = []
    }

    private let state = Mutex(State())

    public init(limitBytes: Int = 256 << 20) {
        self.limitBytes = limitBytes
    }

    deinit {
        for entry in state.withLock({ $0.entries }) { UnsafeMutableRawPointer(bitPattern: entry.address)?.deallocate() }
    }

    /// Runs `body` with this pool as the calling thread's pool, and one of its scratch arenas as
    /// the thread's `ScratchArena.current` (restoring the previous ones after). Threads that run
    /// at once hold different arenas.
    public func withCurrent<Result>(_ body: () throws -> Result) rethrows -> Result {
        let previous = pthread_getspecific(currentPoolKey)
        // Nested in a run of this pool on the same thread (a split batch's piece on the thread
        // that split it), the body keeps the thread's arena: the outer run is between kernels.
        if previous == Unmanaged.passUnretained(self).toOpaque(), ScratchArena.current != nil { return try body() }
        pthread_setspecific(currentPoolKey, Unmanaged.passUnretained(self).toOpaque())
        let arena = state.withLock { state -> ScratchArena in
            if let idle = state.idleArenas.popLast() { return idle }
            let made = ScratchArena()
            state.arenas.append(made)
            return made
        }
        defer {
            state.withLock { $0.idleArenas.append(arena) }
            pthread_setspecific(currentPoolKey, previous)
        }
        return try arena.withCurrent(body)
    }

    /// The calling thread's pool, if one is installed.
    static var current: BufferPool? {
        pthread_getspecific(currentPoolKey).map { Unmanaged<BufferPool>.fromOpaque($0).takeUnretainedValue() }
    }

    /// A kept buffer of exactly `byteCount` bytes (the most recently given back), if any.
    func take(byteCount: Int) -> UnsafeMutableRawPointer? {
        let kept = state.withLock { state -> UInt? in
            guard let index = state.entries.lastIndex(where: { $0.byteCount == byteCount }) else { return nil }
            state.bytes -= byteCount
            return state.entries.remove(at: index).address
        }
        return kept.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `pointer` (`byteCount` bytes, allocated with `TensorStorage.alignment`) for reuse, or frees it.
    func giveBack(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount <= limitBytes else {
            pointer.deallocate()
            return
        }
        let evicted = state.withLock { state -> [UInt] in
            state.entries.append(Entry(byteCount: byteCount, address: UInt(bitPattern: pointer), run: state.runs))
            state.bytes += byteCount
            var evicted: [UInt] = []
            while state.bytes > limitBytes || state.entries.count > Self.maximumEntries {
                let oldest = state.entries.removeFirst()
                state.bytes -= oldest.byteCount
                evicted.append(oldest.address)
            }
            return evicted
        }
        for address in evicted { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    /// Marks the end of a run: buffers given back before the last `keptRuns` runs are freed.
    public func endRun() {
        let stale = state.withLock { state -> [UInt] in
            state.runs += 1
            let oldest = state.runs - Self.keptRuns
            let stale = state.entries.filter { $0.run < oldest }
            guard !stale.isEmpty else { return [] }
            state.entries.removeAll { $0.run < oldest }
            state.bytes -= stale.reduce(0) { $0 + $1.byteCount }
            return stale.map(\.address)
        }
        for address in stale { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    /// Bytes kept now: the buffers waiting for a run, and the scratch arenas.
    public var keptBytes: Int { state.withLock { $0.bytes } + scratchBytes }

    /// Bytes of the scratch arenas, one per thread that ran at once.
    public var scratchBytes: Int { state.withLock { $0.arenas.reduce(0) { $0 + $1.byteCount } } }
}

/// The thread-specific slot holding the calling thread's pool (unretained: `withCurrent` keeps it alive).
private let currentPoolKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
