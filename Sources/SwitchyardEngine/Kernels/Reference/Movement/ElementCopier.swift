import SwitchyardTensor

/// Moves elements between two tensors of one data type without looking at their values: raw
/// bytes for numeric types (`dataType.byteSize` each), Swift strings for `string` tensors. The
/// movement and indexing kernels build every output through it, so none of them needs a
/// per-type code path.
///
/// Valid only inside `MovementCopy.build`, which owns the memory it points at.
struct ElementCopier {
    let elementSize: Int
    private let source: UnsafeRawPointer
    private let destination: UnsafeMutableRawPointer
    private let sourceStrings: [String]
    private let destinationStrings: UnsafeMutablePointer<String>?
    /// One element's bytes (or string) written where a copy has no source.
    private let fillBytes: UnsafeRawPointer
    private let fillIsZero: Bool
    private let fillString: String

    fileprivate init(
        elementSize: Int, source: UnsafeRawPointer, destination: UnsafeMutableRawPointer,
        sourceStrings: [String], destinationStrings: UnsafeMutablePointer<String>?,
        fillBytes: UnsafeRawPointer, fillIsZero: Bool, fillString: String
    ) {
        self.elementSize = elementSize
        self.source = source
        self.destination = destination
        self.sourceStrings = sourceStrings
        self.destinationStrings = destinationStrings
        self.fillBytes = fillBytes
        self.fillIsZero = fillIsZero
        self.fillString = fillString
    }

    /// Copies `count` consecutive elements from source element `from` to destination element `to`.
    @inline(__always)
    func copy(from: Int, to: Int, count: Int) {
        if let destinationStrings {
            for offset in 0..<count { destinationStrings[to + offset] = sourceStrings[from + offset] }
            return
        }
        (destination + to * elementSize).copyMemory(from: source + from * elementSize, byteCount: count * elementSize)
    }

    /// Writes the fill value into `count` destination elements starting at `at`.
    func fill(at: Int, count: Int) {
        if let destinationStrings {
            for offset in 0..<count { destinationStrings[at + offset] = fillString }
            return
        }
        let start = destination + at * elementSize
        if fillIsZero {
            start.initializeMemory(as: UInt8.self, repeating: 0, count: count * elementSize)
            return
        }
        for offset in 0..<count {
            (start + offset * elementSize).copyMemory(from: fillBytes, byteCount: elementSize)
        }
    }

    /// Writes `offsets.count` consecutive destination elements from `to` on; element `i` comes
    /// from source element `base + offsets[i]`, or is the fill value when `offsets[i]` is
    /// `MovementCopy.missing`.
    func gather(to: Int, base: Int, offsets: UnsafeBufferPointer<Int>) {
        if let destinationStrings {
            for (i, offset) in offsets.enumerated() {
                destinationStrings[to + i] = offset == MovementCopy.missing ? fillString : sourceStrings[base + offset]
            }
            return
        }
        switch elementSize {
        case 1: gather(UInt8.self, to: to, base: base, offsets: offsets)
        case 2: gather(UInt16.self, to: to, base: base, offsets: offsets)
        case 4: gather(UInt32.self, to: to, base: base, offsets: offsets)
        case 8: gather(UInt64.self, to: to, base: base, offsets: offsets)
        default:
            for (i, offset) in offsets.enumerated() {
                if offset == MovementCopy.missing { fill(at: to + i, count: 1) } else { copy(from: base + offset, to: to + i, count: 1) }
            }
        }
    }

    @inline(__always)
    private func gather<Word: FixedWidthInteger>(
        _: Word.Type, to: Int, base: Int, offsets: UnsafeBufferPointer<Int>
    ) {
        let from = source.assumingMemoryBound(to: Word.self) + base
        let into = destination.assumingMemoryBound(to: Word.self) + to
        let fillWord = fillBytes.loadUnaligned(as: Word.self)
        for i in 0..<offsets.count {
            let offset = offsets[i]
            into[i] = offset == MovementCopy.missing ? fillWord : from[offset]
        }
    }
}

extension MovementCopy {
    /// Marks an output element that has no source element: it gets the fill value.
    static let missing = Int.min

    /// Builds a tensor of `shape` and the data type of `sources` (all alike). `body` gets one
    /// copier per source, all writing the same output, and writes elements through them; the
    /// elements it skips are zero. With `writesEveryElement` the zero fill is skipped, so
    /// `body` must write them all. `fill` (one element of the type, default zero) is what
    /// `ElementCopier.fill` writes.
    static func build<Failure: Error>(
        from sources: [Tensor], shape: [Int], fill: Tensor? = nil, writesEveryElement: Bool = false,
        _ body: ([ElementCopier]) throws(Failure) -> Void
    ) throws(Failure) -> Tensor {
        let dataType = sources[0].dataType
        assert(sources.allSatisfy { $0.dataType == dataType })
        let elementSize = dataType.byteSize
        let fillTensor = fill.map { $0.reshaped([]) } ?? Tensor(zeros: dataType, shape: [])
        if dataType == .string {
            var output = [String](repeating: "", count: shape.reduce(1, *))
            let fillString = fillTensor.strings[0]
            let unused = UnsafeMutableRawPointer(bitPattern: MemoryLayout<String>.alignment)!
            try output.withUnsafeMutableBufferPointer { (into) throws(Failure) in
                let copiers = sources.map { source in
                    ElementCopier(
                        elementSize: elementSize, source: UnsafeRawPointer(unused), destination: unused,
                        sourceStrings: source.strings,
                        destinationStrings: into.baseAddress ?? unused.assumingMemoryBound(to: String.self),
                        fillBytes: UnsafeRawPointer(unused), fillIsZero: false, fillString: fillString)
                }
                try body(copiers)
            }
            return Tensor(shape: shape, strings: output)
        }
        let output = writesEveryElement ? Tensor(uninitialized: dataType, shape: shape)
                                        : Tensor(zeros: dataType, shape: shape)
        let fillIsZero = fillTensor.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
        // `output` is new, so no other tensor sees these writes; the storage pointers stay
        // valid while `sources`, `fillTensor` and `output` are alive (this call).
        let copiers = sources.map { source in
            ElementCopier(
                elementSize: elementSize, source: UnsafeRawPointer(source.storage.bytes),
                destination: output.storage.bytes, sourceStrings: [], destinationStrings: nil,
                fillBytes: UnsafeRawPointer(fillTensor.storage.bytes), fillIsZero: fillIsZero,
                fillString: "")
        }
        try withExtendedLifetime((sources, fillTensor, output)) { () throws(Failure) in try body(copiers) }
        return output
    }

    /// `build` with a single source.
    static func build<Failure: Error>(
        from source: Tensor, shape: [Int], fill: Tensor? = nil, writesEveryElement: Bool = false,
        _ body: (ElementCopier) throws(Failure) -> Void
    ) throws(Failure) -> Tensor {
        try build(from: [source], shape: shape, fill: fill, writesEveryElement: writesEveryElement) {
            (copiers) throws(Failure) in try body(copiers[0])
        }
    }

    /// A tensor of `shape` whose element `i` is `source`'s element `sourceIndices[i]` (the fill
    /// value, default zero, where it is `missing`).
    static func gathered(from source: Tensor, shape: [Int], sourceIndices: [Int], fill: Tensor? = nil) -> Tensor {
        build(from: source, shape: shape, fill: fill, writesEveryElement: true) { copier in
            sourceIndices.withUnsafeBufferPointer { copier.gather(to: 0, base: 0, offsets: $0) }
        }
    }
}
