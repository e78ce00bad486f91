import SwitchyardTensor

/// Namespace of the data-movement and shape operators' kernels (one file per concept).
enum MovementOps {}

extension ReferenceKernels {
    /// The movement operators: shape manipulation, copying, padding, constants.
    static let movement: [String: ReferenceKernel] = [
        "Reshape": MovementOps.reshape,
        "Flatten": MovementOps.flatten,
        "Squeeze": MovementOps.squeeze,
        "Unsqueeze": MovementOps.unsqueeze,
        "Identity": MovementOps.identity,
        "Dropout": MovementOps.dropout,
        "Shape": MovementOps.shape,
        "Size": MovementOps.size,
        "Transpose": MovementOps.transpose,
        "Concat": MovementOps.concat,
        "Split": MovementOps.split,
        "Slice": MovementOps.slice,
        "Expand": MovementOps.expand,
        "Tile": MovementOps.tile,
        "Pad": MovementOps.pad,
        "CenterCropPad": MovementOps.centerCropPad,
        "ConstantOfShape": MovementOps.constantOfShape,
        "Constant": MovementOps.constant,
        "Range": MovementOps.range,
        "EyeLike": MovementOps.eyeLike,
        "Trilu": MovementOps.trilu,
        "DepthToSpace": MovementOps.depthToSpace,
        "SpaceToDepth": MovementOps.spaceToDepth,
        "ReverseSequence": MovementOps.reverseSequence,
    ]
}
