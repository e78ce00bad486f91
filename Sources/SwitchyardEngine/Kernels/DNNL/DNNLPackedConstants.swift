import Synchronization
import SwitchyardTensor

/// A region's weights already reordered into the layouts its primitives chose, shared by all of
/// the region's plans. A plan per input shape (a server sees every batch size up to its maximum)
/// would otherwise pack, and hold, its own copy of every weight; the layout a convolution picks
/// for its weights rarely depends on the batch size.
///
/// Only the region's initializers are kept: other plan-time values (a scale computed while
/// lowering) are new storage on every compile and would never be found again.
final class DNNLPackedConstants: Sendable {
    private struct Entry: Sendable {
        let source: DNNLMemoryDesc
        let target: DNNLMemoryDesc
        let packed: TensorStorage
    }

    private let initializers: Set<ObjectIdentifier>
    private let entries = Mutex<[ObjectIdentifier: [Entry]]>([:])

    init(initializers: some Sequence<Tensor>) {
        self.initializers = Set(initializers.map { ObjectIdentifier($0.storage) })
    }

    /// `storage` (laid out as `source`) in layout `target`: the copy packed earlier, or `pack()`'s.
    func packed(_ storage: TensorStorage, from source: DNNLMemoryDesc, to target: DNNLMemoryDesc,
                pack: () throws(DNNLError) -> TensorStorage) throws(DNNLError) -> TensorStorage {
        let key = ObjectIdentifier(storage)
        guard initializers.contains(key) else { return try pack() }
        let found = entries.withLock { entries in
            entries[key]?.first { $0.source == source && $0.target == target }?.packed
        }
        if let found { return found }
        // Packed outside the lock: two threads compiling at once may both pack; one copy is kept.
        let packed = try pack()
        return entries.withLock { entries in
            if let raced = entries[key]?.first(where: { $0.source == source && $0.target == target }) { return raced.packed }
            entries[key, default: []].append(Entry(source: source, target: target, packed: packed))
            return packed
        }
    }

    /// Bytes of every packed copy kept.
    var byteCount: Int {
        entries.withLock { $0.values.joined().reduce(0) { $0 + $1.packed.byteCount } }
    }
}
