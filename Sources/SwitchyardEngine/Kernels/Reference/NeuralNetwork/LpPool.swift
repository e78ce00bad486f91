import Foundation
import SwitchyardTensor

/// LpPool (opsets 1–22) and GlobalLpPool: `(Σ |x|^p)^(1/p)` over each window, padding
/// contributing nothing.
enum LpPoolKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let input = try context.input(0)
        let windows = try PoolingWindows(context, input: input)
        let p = try exponent(context)
        let x = try FloatingCompute.computeTensor(input, op: op, input: "X")
        let result: Tensor = switch x.dataType {
        case .float64: pool(Double.self, x, windows, p: p)
        default: pool(Float.self, x, windows, p: p)
        }
        return [result.converted(to: input.dataType)]
    }

    /// The `p` attribute (default 2); it must be positive.
    static func exponent(_ context: OpContext) throws(KernelError) -> Double {
        let p = Double(try context.float("p", default: 2))
        guard p > 0 else { throw .invalidArgument("\(context.node.opType): p must be positive, got \(p)") }
        return p
    }

    private static func pool<T: ReferenceFloatingScalar>(_: T.Type, _ x: Tensor, _ windows: PoolingWindows, p: Double) -> Tensor {
        let powered = Tensor(shape: x.shape, scalars: powers(x.scalars(as: T.self), p: p))
        return PoolingPlanes.map(T.self, powered, windows) { input, output in
            windows.accumulate(input: input, output: output, combine: +)
            root(output, count: windows.geometry.outputCount, p: p)
        }
    }

    /// `|x|^p` elementwise.
    static func powers<T: ReferenceFloatingScalar>(_ values: [T], p: Double) -> [T] {
        switch p {
        case 1: values.map { abs($0) }
        case 2: values.map { $0 * $0 }
        default: values.map { T(pow(Double(abs($0)), p)) }
        }
    }

    /// `x^(1/p)` in place.
    static func root<T: ReferenceFloatingScalar>(_ values: UnsafeMutablePointer<T>, count: Int, p: Double) {
        switch p {
        case 1: break
        case 2: for index in 0..<count { values[index] = values[index].squareRoot() }
        default: for index in 0..<count { values[index] = T(pow(Double(values[index]), 1 / p)) }
        }
    }
}
