extension ReferenceKernels {
    /// The elementwise operators: unary math, activations, binary arithmetic, comparisons,
    /// logical and bitwise operators, variadic Max/Min/Mean/Sum, Where, Cast and CastLike.
    static let elementwise: [String: ReferenceKernel] = {
        var table: [String: ReferenceKernel] = [:]
        for family in [UnaryMath.kernels, Activations.kernels, ParametricActivations.kernels,
                       BinaryArithmetic.kernels, Comparison.kernels, Logical.kernels, Bitwise.kernels,
                       Variadic.kernels, Where.kernels, Cast.kernels] {
            table.merge(family) { _, _ in preconditionFailure("an elementwise op type is registered twice") }
        }
        return table
    }()
}
