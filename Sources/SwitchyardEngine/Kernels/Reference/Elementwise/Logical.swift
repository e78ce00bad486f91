import SwitchyardTensor

/// And, Or, Xor on bool tensors with NumPy broadcasting (Not is with the unary operators).
enum Logical: String, CaseIterable {
    case And, Or, Xor

    static var kernels: [String: ReferenceKernel] {
        var table: [String: ReferenceKernel] = [:]
        for operation in allCases {
            table[operation.rawValue] = { context in
                let (a, b) = try ElementwiseDispatch.binaryInputs(context)
                for input in [a, b] where input.dataType != .bool {
                    throw ElementwiseDispatch.unsupported(operation.rawValue, input.dataType, expected: "bool")
                }
                let op = operation.rawValue
                let result: Tensor = switch operation {
                case .And: try ElementwiseLoops.combine(a, b, Bool.self, Bool.self, to: Bool.self, op: op) { $0 && $1 }
                case .Or: try ElementwiseLoops.combine(a, b, Bool.self, Bool.self, to: Bool.self, op: op) { $0 || $1 }
                case .Xor: try ElementwiseLoops.combine(a, b, Bool.self, Bool.self, to: Bool.self, op: op) { $0 != $1 }
                }
                return [result]
            }
        }
        return table
    }
}
