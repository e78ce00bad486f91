import CDNNL

extension DNNLAttributes {
    /// Multiplies the int32 accumulator (bias included) by `scales` before the destination
    /// zero point is added: one scale for every element, or one per index of dimension
    /// `perDimension` (the output channel of a convolution, the column of a matmul).
    func setOutputScales(_ scales: [Float], perDimension dimension: Int?) throws(DNNLError) {
        let mask: Int32 = dimension.map { 1 << Int32($0) } ?? 0
        try dnnlCheck(dnnl_primitive_attr_set_output_scales(handle, Int64(scales.count), mask, scales),
                      "dnnl_primitive_attr_set_output_scales(\(scales.count) scales)")
    }

    /// Declares a per-tensor zero point of `argument` (`DNNL_ARG_SRC`, `DNNL_ARG_DST`) given at
    /// execution time, as the s32 memory bound to `DNNL_ARG_ATTR_ZERO_POINTS | argument`.
    func setRuntimeZeroPoint(_ argument: Int32) throws(DNNLError) {
        let runtime = [Int32.min]  // DNNL_RUNTIME_S32_VAL
        try dnnlCheck(dnnl_primitive_attr_set_zero_points(handle, argument, 1, 0, runtime),
                      "dnnl_primitive_attr_set_zero_points(argument \(argument))")
    }
}

/// The execute-argument index of `argument`'s runtime zero point.
func dnnlZeroPointArgument(_ argument: Int32) -> Int32 { DNNL_ARG_ATTR_ZERO_POINTS | argument }
