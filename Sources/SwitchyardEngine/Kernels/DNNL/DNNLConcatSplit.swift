import CDNNL
import SwitchyardTensor

/// Concat kept in oneDNN, so a region's values stay in oneDNN's blocked layouts across it
/// (YOLO's C2f blocks concatenate convolution outputs along channels): each source's producer
/// writes straight into its slice of the output when the slice is a contiguous piece of it
/// (`DNNLPlanBuilder.placeInSlices`), else the source is copied into its slice (a reorder into a
/// sub-memory view), or, when a slice is not a sub-memory of the layout, a oneDNN concat primitive runs. The output takes the first source's
/// layout when every part fits it (channel counts that are multiples of the block), plain
/// row-major otherwise or when it leaves the region.
struct DNNLConcatOperation: DNNLOperation {
    let axis: Int
    /// Copies of 8-bit data keep its type (`QuantizedMovementFusion`).
    var takesIntegerData: Bool { true }
    var copiesValues: Bool { true }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let sources = try inputs.indices.map { index throws(KernelError) in try inputs.required(index, "Concat") }
        guard let first = sources.first, !first.shape.isEmpty else {
            throw KernelError.unsupported("Concat: no inputs or scalar inputs")
        }
        let axis = try ShapeMath.normalizedAxis(self.axis, rank: first.shape.count, op: "Concat")
        var shape = first.shape
        shape[axis] = 0
        for source in sources {
            guard source.shape.count == shape.count,
                  source.shape.indices.allSatisfy({ $0 == axis || source.shape[$0] == first.shape[$0] }),
                  source.shape[axis] > 0 else {
                throw KernelError.unsupported("Concat: shapes \(sources.map(\.shape)) on axis \(axis)")
            }
            shape[axis] += source.shape[axis]
        }
        var layouts: [DNNLMemoryDesc] = []
        let type = builder.storedType(builder.desc(first.slot).dataType)
        if let same = builder.desc(first.slot).sameLayout(dims: shape) { layouts.append(same.withDataType(type)) }
        let plain = try DNNLMemoryDesc.plain(shape, type: type)
        // A region output is plain in the end: each part is converted once, on its way into its slice.
        if builder.writesRegionOutput { layouts.removeAll { $0 == plain }; layouts.insert(plain, at: 0) }
        if !layouts.contains(plain) { layouts.append(plain) }
        if let destination = layouts.first, let written = try? Self.copiedIntoSlices(sources, axis: axis, shape: shape,
                                                                                  destination: destination, into: &builder) {
            return [(written, shape)]
        }
        for destination in layouts {
            // Descriptors first: nothing is added to the plan unless the primitive fits.
            guard let parts = try? sources.map({ source throws(KernelError) -> DNNLMemoryDesc in
                guard let desc = destination.sameLayout(dims: source.shape) else {
                    throw .unsupported("Concat: layout")
                }
                return desc
            }), let pd = try? DNNLPrimitiveDescriptor(concat: parts, axis: axis, destination: destination,
                                                        engine: builder.engine),
                !pd.isReference else { continue }
            var arguments: [(Int32, Int)] = []
            for (index, (source, desc)) in zip(sources, parts).enumerated() {
                arguments.append((DNNL_ARG_MULTIPLE_SRC + Int32(index), try builder.reorder(source.slot, to: desc)))
            }
            let output = builder.slot(destination)
            arguments.append((DNNL_ARG_DST, output))
            try builder.add(pd, arguments: arguments)
            return [(output, shape)]
        }
        throw KernelError.unsupported("Concat: oneDNN has no fast concat of \(sources.map(\.shape)) on axis \(axis)")
    }

    /// The destination slot after copying each source into its slice of `destination` with a
    /// reorder (a view of the slice, no copy of the whole), or nil when a slice is not a sub-memory
    /// of that layout (a channel offset that is not a multiple of the block). oneDNN 2.6's
    /// `simple:any` concat on `nChw8c` ran at about a tenth of memory speed (YOLOv8n: 5.6 ms of
    /// concatenation per run); a jit reorder into each slice is a copy.
    private static func copiedIntoSlices(
        _ sources: [DNNLOperand], axis: Int, shape: [Int], destination: DNNLMemoryDesc, into builder: inout DNNLPlanBuilder
    ) throws -> Int? {
        var slices: [DNNLMemoryDesc] = []
        var starts: [[Int]] = []
        var offset = 0
        for source in sources {
            var start = [Int](repeating: 0, count: shape.count)
            start[axis] = offset
            guard let slice = destination.submemory(dims: source.shape, offsets: start) else { return nil }
            slices.append(slice)
            starts.append(start)
            offset += source.shape[axis]
        }
        // Descriptors first: nothing is added to the plan unless every copy can be made.
        let engine = builder.engine
        let descriptors = try zip(sources, slices).map { source, slice in
            try DNNLPrimitiveDescriptor(reorderFrom: builder.desc(source.slot), to: slice, engine: engine)
        }
        let output = builder.slot(destination)
        // Parts whose producers can write straight into their slices need no copy.
        let inPlace = builder.placeInSlices(sources.map(\.slot), of: output, at: starts)
        for (index, (source, slice)) in zip(sources, slices).enumerated() where !inPlace[index] {
            let view = builder.view(output, as: slice)
            try builder.add(descriptors[index], arguments: [(DNNL_ARG_FROM, source.slot), (DNNL_ARG_TO, view)])
        }
        return output
    }
}

/// Split as parts of its input read in place when each is a contiguous piece of it (channel
/// slices at batch 1), else as copies of views of its input (oneDNN sub-memories, one reorder per
/// output); each output is dense in the input's layout; through plain row-major when an offset
/// falls inside a channel block.
struct DNNLSplitOperation: DNNLOperation {
    let axis: Int
    /// The `split` attribute (opset < 13).
    let splitAttribute: [Int]?
    /// The `num_outputs` attribute (opset 18).
    let numOutputs: Int?
    /// Outputs the node declares.
    let outputCount: Int

    var parameterInputs: Set<Int> { [1] }
    /// Parts of 8-bit data keep its type (`QuantizedMovementFusion`).
    var takesIntegerData: Bool { true }
    var copiesValues: Bool { true }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, "Split")
        guard !x.shape.isEmpty else { throw KernelError.unsupported("Split: scalar input") }
        let axis = try ShapeMath.normalizedAxis(self.axis, rank: x.shape.count, op: "Split")
        let sizes = try partSizes(inputs, length: x.shape[axis])
        var offsets: [Int] = []
        var offset = 0
        for size in sizes { offsets.append(offset); offset += size }
        func views(of parent: DNNLMemoryDesc) -> [(view: DNNLMemoryDesc, dense: DNNLMemoryDesc, shape: [Int])]? {
            var result: [(DNNLMemoryDesc, DNNLMemoryDesc, [Int])] = []
            for (size, start) in zip(sizes, offsets) {
                var shape = x.shape
                shape[axis] = size
                var starts = [Int](repeating: 0, count: shape.count)
                starts[axis] = start
                guard let view = parent.submemory(dims: shape, offsets: starts),
                      let dense = parent.sameLayout(dims: shape) else { return nil }
                result.append((view, dense, shape))
            }
            return result
        }
        var parent = x.slot
        var parts = views(of: builder.desc(parent))
        if parts == nil {
            parent = try builder.plain(x.slot)
            parts = views(of: builder.desc(parent))
        }
        guard let parts else { throw KernelError.unsupported("Split: no sub-memory of \(x.shape) on axis \(axis)") }
        return try zip(parts, offsets).map { part, start in
            var starts = [Int](repeating: 0, count: part.shape.count)
            starts[axis] = start
            // A part that is a contiguous piece of the input is read where it lies.
            if let inPlace = builder.part(of: parent, shape: part.shape, at: starts) { return (inPlace, part.shape) }
            let view = builder.view(parent, as: part.view)
            return (try builder.copy(view, to: part.dense), part.shape)
        }
    }

    private func partSizes(_ inputs: [DNNLOperand?], length: Int) throws -> [Int] {
        let sizes: [Int]
        if let operand = inputs.optional(1) {
            guard let value = operand.value, value.dataType == .int64 else {
                throw KernelError.unsupported("Split: split sizes not known at plan time")
            }
            sizes = value.scalars(as: Int64.self).map(Int.init)
        } else if let splitAttribute {
            sizes = splitAttribute
        } else {
            let parts = numOutputs ?? outputCount
            guard parts > 0 else { throw KernelError.unsupported("Split: no outputs") }
            let chunk = (length + parts - 1) / parts
            sizes = (0..<parts).map { min(chunk, max(length - $0 * chunk, 0)) }
        }
        guard sizes.count == outputCount, sizes.allSatisfy({ $0 > 0 }), sizes.reduce(0, +) == length else {
            throw KernelError.unsupported("Split: sizes \(sizes) for length \(length) and \(outputCount) outputs")
        }
        return sizes
    }
}
