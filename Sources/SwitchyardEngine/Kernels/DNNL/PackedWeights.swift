import Synchronization
import SwitchyardTensor

/// A model's weights already reordered into the layouts oneDNN's primitives chose, shared by
/// every plan of every kernel of every session of the model (`LoadedModel.packedWeights`).
///
/// Without it each plan (one per input shape: a server sees every batch size up to its
/// maximum) would pack, and hold, its own copy of each weight; so would each instance's session
/// and the one-thread program a several-thread session keeps. The layout a convolution picks
/// for its weights rarely depends on the batch size or the thread count, so one copy serves all.
public final class PackedWeights: Sendable {
    private struct Entry: Sendable {
        /// Kept so that its identity, the key, is never reused by another buffer.
        let source: TensorStorage
        let sourceLayout: DNNLMemoryDesc
        let target: DNNLMemoryDesc
        let packed: TensorStorage
    }

    private let entries = Mutex<[ObjectIdentifier: [Entry]]>([:])

    public init() {}

    /// `storage` (laid out as `source`) in layout `target`: the copy packed earlier, or `pack()`'s.
    func packed(_ storage: TensorStorage, from source: DNNLMemoryDesc, to target: DNNLMemoryDesc,
                pack: () throws(DNNLError) -> TensorStorage) throws(DNNLError) -> TensorStorage {
        let key = ObjectIdentifier(storage)
        let found = entries.withLock { entries in
            entries[key]?.first { $0.sourceLayout == source && $0.target == target }?.packed
        }
        if let found { return found }
        // Packed outside the lock: two threads compiling at once may both pack; one copy is kept.
        let packed = try pack()
        return entries.withLock { entries in
            if let raced = entries[key]?.first(where: { $0.sourceLayout == source && $0.target == target }) {
                return raced.packed
            }
            entries[key, default: []].append(Entry(source: storage, sourceLayout: source, target: target, packed: packed))
            return packed
        }
    }

    /// Bytes of every packed copy kept.
    public var byteCount: Int {
        entries.withLock { $0.values.joined().reduce(0) { $0 + $1.packed.byteCount } }
    }
}

/// The packed weights one region kernel may use: only its initializers are packed once and
/// kept. Other plan-time values (a scale computed while lowering) are new storage on every
/// compile and would never be found again.
struct DNNLPackedConstants: Sendable {
    let store: PackedWeights
    private let initializers: Set<ObjectIdentifier>

    init(store: PackedWeights, initializers: some Sequence<Tensor>) {
        self.store = store
        self.initializers = Set(initializers.map { ObjectIdentifier($0.storage) })
    }

    /// `storage` in layout `target`: the store's copy for an initializer, else `pack()`'s.
    func packed(_ storage: TensorStorage, from source: DNNLMemoryDesc, to target: DNNLMemoryDesc,
                pack: () throws(DNNLError) -> TensorStorage) throws(DNNLError) -> TensorStorage {
        guard initializers.contains(ObjectIdentifier(storage)) else { return try pack() }
        return try store.packed(storage, from: source, to: target, pack: pack)
    }
}
