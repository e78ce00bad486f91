import SwitchyardTensor

/// A region oneDNN can run except for one member (an input it cannot take, a layout only its
/// slow `ref:any` code fits): the members before that one and after it run as regions of their
/// own (each compiled, and split again if it must, on its first run), the member itself on the
/// reference kernels. Without this, one such node in a region of 248 sent every node of the
/// region to the reference kernels.
struct DNNLSplitPlan: Sendable {
    enum Segment: Sendable {
        case region(DNNLRegionKernel)
        case reference(DNNLRegionKernel.Member)
    }

    let segments: [Segment]
    /// Why the member runs on the reference kernels.
    let reason: String

    /// Splits `members` around `members[failing]`. `regionOutputs` are the values the whole
    /// region returns; every other value a segment makes is passed on only if a later one reads it.
    init(members: [DNNLRegionKernel.Member], failing: Int, regionOutputs: [String], constants: [String: Tensor],
         threads: Int, packedWeights: PackedWeights, reason: String) {
        let needed = { (later: ArraySlice<DNNLRegionKernel.Member>) in
            Set(later.flatMap(Self.consumed(by:))).union(regionOutputs)
        }
        var segments: [Segment] = []
        let before = members[..<failing]
        if !before.isEmpty {
            let (inputs, outputs) = Self.boundary(of: before, needed: needed(members[failing...]))
            segments.append(.region(DNNLRegionKernel(members: Array(before), inputNames: inputs, outputNames: outputs,
                                                     constants: constants, threads: threads,
                                                     packedWeights: packedWeights)))
        }
        segments.append(.reference(members[failing]))
        let after = members[(failing + 1)...]
        if !after.isEmpty {
            let (inputs, outputs) = Self.boundary(of: after, needed: Set(regionOutputs))
            segments.append(.region(DNNLRegionKernel(members: Array(after), inputNames: inputs, outputNames: outputs,
                                                     constants: constants, threads: threads,
                                                     packedWeights: packedWeights)))
        }
        self.segments = segments
        self.reason = reason
    }

    /// Runs the segments in order on the region's inputs (aligned with `inputNames`).
    func run(_ inputs: [Tensor?], inputNames: [String], outputNames: [String], profile: StepProfile?) throws -> [Tensor] {
        var values: [String: Tensor] = [:]
        for (name, tensor) in zip(inputNames, inputs) where !name.isEmpty {
            if let tensor { values[name] = tensor }
        }
        for segment in segments {
            switch segment {
            case .region(let kernel):
                let outputs = try kernel.run(kernel.inputNames.map { values[$0] }, profile: profile)
                for (name, tensor) in zip(kernel.outputNames, outputs) { values[name] = tensor }
            case .reference(let member):
                let started = profile == nil ? nil : ContinuousClock.now
                try DNNLRegionKernel.runReference(member.originals, values: &values)
                if let profile, let started {
                    profile.recordDetail(node: member.node.displayName,
                                         opType: member.originals.map(\.node.opType).joined(separator: "+"),
                                         seconds: StepProfile.seconds(since: started))
                }
            }
        }
        return try outputNames.map { name in
            guard let tensor = values[name] else { throw KernelError.invalidArgument("region output '\(name)' was not produced") }
            return tensor
        }
    }

    /// Every value a member reads, its fused nodes' operands included.
    private static func consumed(by member: DNNLRegionKernel.Member) -> [String] {
        member.originals.flatMap(\.node.inputs).filter { !$0.isEmpty }
    }

    /// The values `members` read from outside (in order of first use) and the values they make
    /// that `needed` holds.
    private static func boundary(of members: ArraySlice<DNNLRegionKernel.Member>, needed: Set<String>)
        -> (inputs: [String], outputs: [String]) {
        var produced: [String] = []
        var producedSet = Set<String>()
        var inputs: [String] = []
        for (node, _) in members.flatMap(\.originals) {
            for name in node.inputs where !name.isEmpty && !producedSet.contains(name) && !inputs.contains(name) {
                inputs.append(name)
            }
            for name in node.outputs where !name.isEmpty && producedSet.insert(name).inserted {
                produced.append(name)
            }
        }
        return (inputs, produced.filter { needed.contains($0) })
    }
}
