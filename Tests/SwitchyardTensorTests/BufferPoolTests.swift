import Foundation
import Synchronization
import Testing
@testable import SwitchyardTensor

/// Large tensors allocated while a pool is installed come back to it when freed, and serve the
/// next allocation of their size; outside a pool nothing is kept.
@Suite struct BufferPoolTests {
    static let count = BufferPool.minimumBytes / 4 + 1000

    @Test func aFreedBufferServesTheNextAllocationOfItsSize() {
        let pool = BufferPool()
        let first = pool.withCurrent { TensorStorage(uninitializedByteCount: Self.count * 4) }
        let address = first.bytes
        _ = consume first
        #expect(pool.keptBytes == Self.count * 4)
        // Zeroed allocations reuse it too, and are zeroed.
        let again = pool.withCurrent { Tensor(dataType: .float32, shape: [Self.count], storage: TensorStorage(byteCount: Self.count * 4)) }
        #expect(again.storage.bytes == address && pool.keptBytes == 0)
        #expect(again.scalars(as: Float.self).allSatisfy { $0 == 0 })
        #expect(Int(bitPattern: again.storage.bytes) % TensorStorage.alignment == 0)
    }

    @Test func smallBuffersAndBuffersOutsideAPoolAreNotKept() {
        let pool = BufferPool()
        pool.withCurrent { _ = TensorStorage(uninitializedByteCount: BufferPool.minimumBytes - 1) }
        _ = TensorStorage(uninitializedByteCount: Self.count * 4)
        #expect(pool.keptBytes == 0)
    }

    @Test func theOldestGoWhenTheLimitIsReached() {
        let size = Self.count * 4
        let pool = BufferPool(limitBytes: size * 2)
        var storages = pool.withCurrent { (0..<3).map { _ in TensorStorage(uninitializedByteCount: size) } }
        let addresses = storages.map(\.bytes)
        storages.removeAll()
        #expect(pool.keptBytes == size * 2)
        // The two most recently freed are kept, the most recent served first.
        let reused = pool.withCurrent { [TensorStorage(uninitializedByteCount: size), TensorStorage(uninitializedByteCount: size)] }
        #expect(reused.map(\.bytes) == [addresses[2], addresses[1]])
    }

    @Test func buffersNoRecentRunGaveBackAreFreed() {
        let size = Self.count * 4
        let pool = BufferPool()
        pool.withCurrent { _ = TensorStorage(uninitializedByteCount: size) }
        pool.endRun()
        // A run of another shape gives back buffers of another size; the first stays for keptRuns runs.
        for run in 1...BufferPool.keptRuns {
            pool.withCurrent { _ = TensorStorage(uninitializedByteCount: size * 2) }
            #expect(pool.keptBytes == size + size * 2, "run \(run)")
            pool.endRun()
        }
        #expect(pool.keptBytes == size * 2)
    }

    @Test func installingAPoolNestsAndRestores() {
        let outer = BufferPool(), inner = BufferPool()
        outer.withCurrent {
            inner.withCurrent { #expect(BufferPool.current === inner) }
            #expect(BufferPool.current === outer)
        }
        #expect(BufferPool.current == nil)
    }

    @Test func eachThreadInAPoolGetsAScratchArenaThatStaysWithThePool() throws {
        let pool = BufferPool()
        #expect(ScratchArena.current == nil)
        let first = try pool.withCurrent { () throws -> ObjectIdentifier in
            let arena = try #require(ScratchArena.current)
            _ = arena.bytes(atLeast: 3 << 20)
            _ = arena.bytes(atLeast: 1 << 20)
            #expect(arena.byteCount == 3 << 20, "an arena only grows")
            // Nested on the same thread, a run keeps the thread's arena.
            pool.withCurrent { #expect(ScratchArena.current === arena) }
            // A run on another thread at the same time gets an arena of its own.
            let other = Mutex<ObjectIdentifier?>(nil)
            let finished = DispatchSemaphore(value: 0)
            Thread {
                pool.withCurrent {
                    other.withLock { $0 = ScratchArena.current.map(ObjectIdentifier.init) }
                    _ = ScratchArena.current?.bytes(atLeast: 1 << 20)
                }
                finished.signal()
            }.start()
            finished.wait()
            let otherArena = other.withLock { $0 }
            #expect(otherArena != nil && otherArena != ObjectIdentifier(arena))
            return ObjectIdentifier(arena)
        }
        #expect(ScratchArena.current == nil)
        #expect(pool.scratchBytes == 4 << 20)
        #expect(pool.keptBytes == 4 << 20)
        // Ending runs frees no arena; the next run takes back the one given back last.
        for _ in 0...BufferPool.keptRuns { pool.endRun() }
        let again = pool.withCurrent { ScratchArena.current.map(ObjectIdentifier.init) }
        #expect(again == first)
        #expect(pool.scratchBytes == 4 << 20)
    }
}
