import SwitchyardTensor

/// Namespace of the indexing, sorting and selection operators' kernels (one file per concept).
enum IndexingOps {}

extension ReferenceKernels {
    /// The indexing operators: gathers, scatters, selection, sorting, Einsum.
    static let indexing: [String: ReferenceKernel] = [
        "Gather": IndexingOps.gather,
        "GatherElements": IndexingOps.gatherElements,
        "GatherND": IndexingOps.gatherND,
        "ScatterElements": IndexingOps.scatterElements,
        "Scatter": IndexingOps.scatter,
        "ScatterND": IndexingOps.scatterND,
        "Compress": IndexingOps.compress,
        "OneHot": IndexingOps.oneHot,
        "NonZero": IndexingOps.nonZero,
        "TopK": IndexingOps.topK,
        "CumSum": IndexingOps.cumSum,
        "CumProd": IndexingOps.cumProd,
        "TensorScatter": IndexingOps.tensorScatter,
        "Einsum": IndexingOps.einsum,
        "Unique": IndexingOps.unique,
    ]
}
