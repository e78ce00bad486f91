import SwitchyardTensor

/// QLinearMatMul (opsets 10, 21): the NumPy-style product of two uint8/int8 tensors after
/// removing their zero points, accumulated in int32 and requantized with `y_scale` and
/// `y_zero_point`. A's scale is per tensor; B's per tensor or per column (`[N]`).
enum QLinearMatMulKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let aData = try context.input(0), bData = try context.input(3)
        try QuantizedOperand.requireEightBit(aData, op: op, name: "a")
        try QuantizedOperand.requireEightBit(bData, op: op, name: "b")
        let plan = try MatMulPlan(a: aData.shape, b: bData.shape, op: op)
        let a = try QuantizedOperand(context, data: 0, name: "a")
        let b = try QuantizedOperand(context, data: 3, name: "b", allowedCounts: [1, plan.n])
        let yZeroPoint = context.optionalInput(7)
        let outputType = yZeroPoint?.dataType ?? aData.dataType
        let y = try QuantizedOperand(
            context, data: Tensor(zeros: outputType, shape: []), scale: 6, zeroPoint: 7, name: "y")
        let n = plan.n
        let aShifted = Tensor(shape: aData.shape, scalars: a.shifted())
        let bShifted = Tensor(shape: bData.shape, scalars: b.shifted { $0 % n })
        let product = plan.multiply(Int32.self, aShifted, bShifted)
        let multipliers = b.scales.map {
            Requantization.multiplier(a.scales[0], $0, y.scales[0], type: FloatPrecision.promoted(a.scaleType, b.scaleType))
        }
        return [try Requantization.output(
            product.scalars(as: Int32.self), shape: plan.outputShape, multipliers: multipliers,
            zeroPoint: y.zeroPoint(0), type: outputType) { $0 % n }]
    }
}
