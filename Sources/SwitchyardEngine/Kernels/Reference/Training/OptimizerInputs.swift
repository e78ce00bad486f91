import SwitchyardTensor

/// The inputs shared by the `ai.onnx.preview.training` optimizers: scalars R (learning rate)
/// and T (update count), then `groups` lists of equal length — X₁…Xₙ, G₁…Gₙ, and one list per
/// optimizer state (V, H) — so one node updates n tensors.
struct OptimizerInputs {
    let rate: Double
    let count: Int
    /// `tensors[list][i]`: list 0 is X, list 1 is G, then the states.
    let tensors: [[Tensor]]
    let tensorCount: Int

    init(_ context: OpContext, op: String, lists: Int) throws(KernelError) {
        let r = try context.input(0), t = try context.input(1)
        guard r.count == 1, r.dataType.isFloatingPoint, t.count == 1, t.dataType == .int64 else {
            throw .invalidArgument("\(op): R must be a floating-point scalar and T an int64 scalar, got \(r.dataType) \(r.shape) and \(t.dataType) \(t.shape)")
        }
        rate = r.doubles()[0]
        count = t.ints()[0]
        let rest = context.inputs.count - 2
        guard rest > 0, rest % lists == 0 else {
            throw .invalidArgument("\(op): after R and T expected \(lists) lists of equal length, got \(rest) inputs")
        }
        tensorCount = rest / lists
        var tensors: [[Tensor]] = []
        for list in 0..<lists {
            var group: [Tensor] = []
            for i in 0..<tensorCount { group.append(try context.input(2 + list * tensorCount + i)) }
            tensors.append(group)
        }
        for i in 0..<tensorCount {
            let x = tensors[0][i]
            guard x.dataType.isFloatingPoint else {
                throw .unsupported("\(op): X\(i + 1) has type \(x.dataType); expected a floating-point type")
            }
            for list in 1..<lists where tensors[list][i].shape != x.shape || !tensors[list][i].dataType.isFloatingPoint {
                throw .invalidArgument("\(op): input \(2 + list * tensorCount + i) must be floating-point of X\(i + 1)'s shape \(x.shape), got \(tensors[list][i].dataType) \(tensors[list][i].shape)")
            }
        }
        self.tensors = tensors
    }

    /// Applies `update` elementwise to tensor `i` (values of X, G and the states, in list
    /// order) and returns one new tensor per returned value, typed like the input it replaces.
    func map(_ i: Int, _ update: ([Double]) -> [Double]) -> [Tensor] {
        let lists = tensors.map { $0[i].doubles() }
        let x = tensors[0][i]
        var results: [[Double]] = []
        for element in 0..<x.count {
            let next = update(lists.map { $0[element] })
            if results.isEmpty { results = [[Double]](repeating: [], count: next.count) }
            for (index, value) in next.enumerated() { results[index].append(value) }
        }
        if x.count == 0 { results = [[Double]](repeating: [], count: tensors.count - 1) }
        // Outputs replace X and the states (never G), in that order.
        let replaced = [0] + Array(2..<tensors.count)
        return zip(replaced, results).map { list, values in
            Tensor(dataType: tensors[list][i].dataType, shape: x.shape, doubles: values)
        }
    }
}
