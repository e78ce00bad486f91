import SwitchyardTensor

extension MovementOps {
    /// DepthToSpace: moves `blocksize`² channel groups of an NCHW tensor into spatial blocks,
    /// in `DCR` (default) or `CRD` channel order.
    static func depthToSpace(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let block = try blockSize(context)
        guard data.rank == 4, data.shape[1] % (block * block) == 0 else {
            throw .invalidArgument("DepthToSpace: input must be NCHW with channels divisible by \(block * block), got shape \(data.shape)")
        }
        let (n, c, h, w) = (data.shape[0], data.shape[1], data.shape[2], data.shape[3])
        let depth = c / (block * block)
        let mode = try context.string("mode", default: "DCR")
        let moved: Tensor
        switch mode {
        case "DCR":
            moved = MovementCopy.transposed(data.reshaped([n, block, block, depth, h, w]), permutation: [0, 3, 4, 1, 5, 2])
        case "CRD":
            moved = MovementCopy.transposed(data.reshaped([n, depth, block, block, h, w]), permutation: [0, 1, 4, 2, 5, 3])
        default:
            throw .invalidArgument("DepthToSpace: mode '\(mode)' is not DCR or CRD")
        }
        return [moved.reshaped([n, depth, h * block, w * block])]
    }

    /// SpaceToDepth: the inverse of DepthToSpace, in `DCR` (default) or (opset 28) `CRD` order.
    static func spaceToDepth(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let data = try context.input(0)
        let block = try blockSize(context)
        guard data.rank == 4, data.shape[2] % block == 0, data.shape[3] % block == 0 else {
            throw .invalidArgument("SpaceToDepth: input must be NCHW with H and W divisible by \(block), got shape \(data.shape)")
        }
        let (n, c, h, w) = (data.shape[0], data.shape[1], data.shape[2], data.shape[3])
        let permutation: [Int]
        switch try context.string("mode", default: "DCR") {
        case "DCR": permutation = [0, 3, 5, 1, 2, 4]
        case "CRD": permutation = [0, 1, 3, 5, 2, 4]
        case let mode: throw .invalidArgument("SpaceToDepth: mode '\(mode)' is not DCR or CRD")
        }
        let moved = MovementCopy.transposed(data.reshaped([n, c, h / block, block, w / block, block]), permutation: permutation)
        return [moved.reshaped([n, c * block * block, h / block, w / block])]
    }

    private static func blockSize(_ context: OpContext) throws(KernelError) -> Int {
        guard let block = try context.int("blocksize"), block > 0 else {
            throw .invalidArgument("\(context.node.opType): attribute 'blocksize' must be a positive integer")
        }
        return block
    }
}
