import CDNNL
import Dispatch
import Synchronization
import Testing
@testable import SwitchyardEngine

/// oneDNN 2.6 inserts a reorder's pair of data types into a shared map the first time it sees
/// it; without `DNNLPrimitiveDescriptor`'s lock, threads planning their first reorders at once
/// corrupt the map, and a later lookup loops forever. The race needs the first sightings of a
/// pair to coincide, so this catches a missing lock only now and then: with the lock removed,
/// one run in ten of this test alone hung here (it cannot time out: the loop is in C).
@Suite struct DNNLConcurrentPlanningTests {
    @Test("threads creating their first reorders at once get what one thread gets")
    func concurrentReorderDescriptors() throws {
        let engine = try DNNLEngine.shared()
        let types = [dnnl_f32, dnnl_f16, dnnl_bf16, dnnl_s32, dnnl_s8, dnnl_u8]
        let pairs = types.flatMap { source in types.map { (source, $0) } }
        let shape = [2, 3, 4, 5]
        @Sendable func create(_ index: Int) -> Bool {
            let (source, destination) = pairs[index]
            return (try? DNNLPrimitiveDescriptor(reorderFrom: .plain(shape, type: source),
                                                 to: .plain(shape, type: destination), engine: engine)) != nil
        }
        // In each round every thread creates a different pair's first reorder, released together
        // by a spinning gate so that the map's first inserts coincide.
        let threads = 2
        let arrived = Atomic<Int>(0)
        let outcomes = Mutex([Bool?](repeating: nil, count: pairs.count))
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for round in 0..<(pairs.count / threads) {
                arrived.add(1, ordering: .acquiringAndReleasing)
                while arrived.load(ordering: .acquiring) < (round + 1) * threads {}
                let index = round * threads + thread
                let made = create(index)
                outcomes.withLock { $0[index] = made }
            }
        }
        let alone = pairs.indices.map(create)
        #expect(alone.contains(true))
        #expect(outcomes.withLock { $0 } == alone.map { $0 })
    }
}
