import CDNNL

/// Where a slot lives inside another slot's buffer: at element `offsets` of `parent`'s
/// dimensions, `byteOffset` bytes into it.
struct DNNLPlacement: Sendable, Equatable {
    let parent: Int
    let offsets: [Int]
    let byteOffset: Int
}

/// Copy-free Split and Concat (YOLOv8's C2f blocks): a split's part is read where it lies in
/// its input, and a concatenation's part is written by its producer straight into its slice of
/// the output, whenever the part is a contiguous piece of the layout
/// (`DNNLMemoryDesc.placement`, e.g. channel slices at batch 1).
extension DNNLPlanBuilder {
    /// The buffer `slot` lives in (itself unless placed) and its element offsets and byte
    /// offset there.
    func location(of slot: Int) -> (root: Int, offsets: [Int], byteOffset: Int) {
        var root = slot
        var offsets = [Int](repeating: 0, count: descs[slot].dims.count)
        var bytes = 0
        while let placement = placements[root] {
            guard placement.offsets.count == offsets.count else { break }
            offsets = zip(offsets, placement.offsets).map(+)
            bytes += placement.byteOffset
            root = placement.parent
        }
        return (root, offsets, bytes)
    }

    /// A slot for the part of `parent` of `shape` at `offsets`, read in place (no copy); nil
    /// when the part is not a contiguous piece of `parent`'s layout.
    mutating func part(of parent: Int, shape: [Int], at offsets: [Int]) -> Int? {
        guard let (dense, byteOffset) = desc(parent).placement(of: shape, at: offsets) else { return nil }
        let part = slot(dense)
        placements[part] = DNNLPlacement(parent: parent, offsets: offsets, byteOffset: byteOffset)
        return part
    }

    /// Puts the buffers of `sources` into their slices of `output` (each source at `offsets[i]`)
    /// where that is safe, so their producers write the concatenation in place. Returns, per
    /// source, whether its value now sits in its slice (no copy needed).
    ///
    /// A source's buffer (`root`: the source, or the value it is a split part of) moves into the
    /// output only if a primitive writes it (not an input, constant or view), it lives nowhere
    /// else yet, its layout is the output's, and every slice it then covers belongs to a source
    /// that is the same part of it, so no other producer writes over it.
    mutating func placeInSlices(_ sources: [Int], of output: Int, at offsets: [[Int]]) -> [Bool] {
        let outputDims = descs[output].dims
        for (index, source) in sources.enumerated() {
            let (root, inRoot, _) = location(of: source)
            guard root != output, written.contains(root), placements[root] == nil, !viewTargets.contains(root),
                  inRoot.count == outputDims.count else { continue }
            let rootDims = descs[root].dims
            let start = zip(offsets[index], inRoot).map(-)
            guard start.allSatisfy({ $0 >= 0 }), zip(zip(start, rootDims), outputDims).allSatisfy({ $0.0 + $0.1 <= $1 }),
                  let (dense, byteOffset) = descs[output].placement(of: rootDims, at: start), dense == descs[root],
                  covers(root, at: start, dims: rootDims, sources: sources, offsets: offsets) else { continue }
            placements[root] = DNNLPlacement(parent: output, offsets: start, byteOffset: byteOffset)
        }
        return sources.enumerated().map { index, source in
            let (root, inOutput, _) = location(of: source)
            return root == output && inOutput == offsets[index]
                && descs[output].placement(of: descs[source].dims, at: inOutput)?.dense == descs[source]
        }
    }

    /// Whether every source slice overlapping `root` placed at `start` is a part of `root`
    /// sitting at its own place in it.
    private func covers(_ root: Int, at start: [Int], dims: [Int], sources: [Int], offsets: [[Int]]) -> Bool {
        for (source, sliceStart) in zip(sources, offsets) {
            let sliceDims = descs[source].dims
            let overlaps = (0..<dims.count).allSatisfy { axis in
                sliceStart[axis] < start[axis] + dims[axis] && start[axis] < sliceStart[axis] + sliceDims[axis]
            }
            guard overlaps else { continue }
            let (sourceRoot, inRoot, _) = location(of: source)
            guard sourceRoot == root, zip(inRoot, start).map(+) == sliceStart else { return false }
        }
        return true
    }
}
