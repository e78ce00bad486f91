/// A `join` stage: where parallel branches of one frame meet again. One thread takes items from
/// the stage's queue and holds them until each input has delivered the item of the same source,
/// frame and region; then it forwards one item with their values merged, in `inputs:` order (a
/// later input's value replaces an earlier one's of the same name). If a branch failed on the
/// item, the merged item is that branch's error item, so the frame still ends in an error event.
///
/// A group that can never complete (a branch filtered the item out, or a `drop-oldest` source
/// dropped it from one branch's queue) is dropped and counted: the frame ledger shows when every
/// item of the frame still travelling is one the join holds.
struct JoinStage: Sendable {
    let name: String
    /// The input stages, in `inputs:` order.
    let inputs: [String]
    let input: BoundedQueue<PipelineItem>
    let router: ItemRouter
    let metrics: StageMetrics

    /// How long the thread waits for an item before it checks held groups for ones that can no
    /// longer complete (a branch drops an item without telling the join).
    private static let strandedCheckSeconds = 0.02

    func start(exited: @escaping @Sendable () -> Void) {
        WorkerThreads.start(stage: name, count: 1, body: { _ in run() }, whenAllExited: {
            router.finish()
            exited()
        })
    }

    private func run() {
        var held = HeldGroups(inputs: inputs)
        while true {
            switch input.pop(timeout: held.isEmpty ? nil : Self.strandedCheckSeconds) {
            case .item(let item):
                metrics.recordQueueDepth(input.depth)
                metrics.recordItem()
                accept(item, into: &held)
                dropStranded(from: &held)
            case .timedOut:
                dropStranded(from: &held)
            case .finished:
                for frame in held.frames { drop(held.remove(frame: frame), of: frame) }
                return
            }
        }
    }

    private func accept(_ item: PipelineItem, into held: inout HeldGroups) {
        switch held.add(item) {
        case .waiting:
            break
        case .complete(let items):
            router.forward([merge(items)], consuming: items.count, of: item.source, frame: item.frame)
        case .duplicate:
            let message = "join '\(name)': input '\(item.sentBy)' sent a second item for \(item.label); a join matches one item of each input per frame and region (give fanned-out items region numbers, or join before the fan-out)"
            router.forward([item.failed(in: name, message)], replacing: item)
        }
    }

    private func merge(_ items: [PipelineItem]) -> PipelineItem {
        if let failed = items.first(where: { $0.error != nil }) { return failed }
        var merged = items[0]
        for item in items.dropFirst() { merged.values.merge(item.values) { _, later in later } }
        merged.stage = name
        return merged
    }

    private func dropStranded(from held: inout HeldGroups) {
        for frame in held.frames where router.ledger.count(source: frame.source, frame: frame.frame) <= held.itemCount(of: frame) {
            drop(held.remove(frame: frame), of: frame)
        }
    }

    private func drop(_ groups: [[PipelineItem]], of frame: HeldGroups.Frame) {
        let items = groups.reduce(0) { $0 + $1.count }
        router.forward([], consuming: items, of: frame.source, frame: frame.frame)
        for _ in groups { metrics.recordDrop() }
    }
}

/// The items a join holds, grouped by source, frame and region, one slot per input.
private struct HeldGroups {
    struct Frame: Hashable {
        var source: String
        var frame: Int
    }

    private struct Key: Hashable {
        var frame: Frame
        var region: Int?
    }

    enum Added {
        case waiting
        /// Every input delivered: the group's items in input order.
        case complete([PipelineItem])
        /// The input already delivered an item for this key.
        case duplicate
    }

    private let slotByInput: [String: Int]
    private var groups: [Key: [PipelineItem?]] = [:]
    private var heldByFrame: [Frame: Int] = [:]

    init(inputs: [String]) {
        slotByInput = Dictionary(uniqueKeysWithValues: inputs.enumerated().map { ($1, $0) })
    }

    var isEmpty: Bool { groups.isEmpty }

    /// The frames that have held items.
    var frames: [Frame] { Array(heldByFrame.keys) }

    func itemCount(of frame: Frame) -> Int { heldByFrame[frame] ?? 0 }

    mutating func add(_ item: PipelineItem) -> Added {
        // The validator admits only listed inputs, so every item's sender has a slot.
        let slot = slotByInput[item.sentBy]!
        let key = Key(frame: Frame(source: item.source, frame: item.frame), region: item.region)
        var group = groups[key] ?? Array(repeating: nil, count: slotByInput.count)
        guard group[slot] == nil else { return .duplicate }
        group[slot] = item
        if group.allSatisfy({ $0 != nil }) {
            groups[key] = nil
            heldByFrame[key.frame, default: 0] -= group.count - 1
            if heldByFrame[key.frame] == 0 { heldByFrame[key.frame] = nil }
            return .complete(group.map { $0! })
        }
        groups[key] = group
        heldByFrame[key.frame, default: 0] += 1
        return .waiting
    }

    /// Removes every group of `frame`, returning their items.
    mutating func remove(frame: Frame) -> [[PipelineItem]] {
        let keys = groups.keys.filter { $0.frame == frame }
        heldByFrame[frame] = nil
        return keys.map { key in groups.removeValue(forKey: key)!.compactMap { $0 } }
    }
}
