import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Builders and oracles shared by the pass tests: small graphs, seeded non-zero inputs, and the
/// check that an optimized graph computes what the unoptimized one does.
enum PassTestKit {
    typealias Generator = SplitMix64

    /// Uniform values in ±[0.1, 1]: never zero, so a dropped term always shows.
    static func floats(_ count: Int, _ generator: inout Generator) -> [Float] {
        (0..<count).map { _ in
            let magnitude = Float.random(in: 0.1...1, using: &generator)
            return Bool.random(using: &generator) ? magnitude : -magnitude
        }
    }

    static func tensor(_ shape: [Int], _ generator: inout Generator) -> Tensor {
        Tensor(shape: shape, scalars: floats(shape.reduce(1, *), &generator))
    }

    /// Positive values (variances, divisors).
    static func positive(_ shape: [Int], _ generator: inout Generator) -> Tensor {
        Tensor(shape: shape, scalars: floats(shape.reduce(1, *), &generator).map { abs($0) + 0.5 })
    }

    static func int64s(_ values: [Int]) -> Tensor {
        Tensor(shape: [values.count], scalars: values.map(Int64.init))
    }

    static func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: Attribute] = [:],
                     domain: String = "") -> Node {
        Node(name: outputs.first.map { "\(op)_\($0)" } ?? op, opType: op, domain: domain, inputs: inputs,
             outputs: outputs, attributes: attributes)
    }

    static func input(_ name: String, _ shape: [Dimension], _ type: DataType = .float32) -> ValueInfo {
        ValueInfo(name: name, dataType: type, shape: shape)
    }

    static func model(_ graph: Graph, opset: Int = 17) -> Model {
        Model(opsetImports: ["": opset], graph: graph)
    }

    static func opTypes(_ graph: Graph) -> [String] { graph.nodes.map(\.opType) }

    /// Loads `model` with and without the optimizer, runs both on `inputs` and expects every
    /// output to agree within `tolerance` (relative to the magnitude). Returns the optimized model.
    @discardableResult
    static func expectSameOutputs(
        _ model: Model, inputs: [String: Tensor], tolerance: Float = 1e-4, options: LoadOptions = LoadOptions(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> LoadedModel {
        let plain = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)))
        let optimized = try LoadedModel(model: model, options: options)
        let expected = try plain.run(inputs)
        let actual = try Session(model: optimized).run(inputs)
        #expect(Set(actual.keys) == Set(expected.keys), sourceLocation: sourceLocation)
        for (name, want) in expected {
            guard let got = actual[name] else { continue }
            #expect(got.shape == want.shape, "output \(name)", sourceLocation: sourceLocation)
            #expect(got.dataType == want.dataType, "output \(name)", sourceLocation: sourceLocation)
            guard got.shape == want.shape else { continue }
            let worst = maxRelativeError(got.doubles(), want.doubles())
            #expect(worst <= Double(tolerance), "output \(name) differs by \(worst)", sourceLocation: sourceLocation)
        }
        return optimized
    }

    static func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { worst, pair in
            let (x, y) = pair
            if x.isNaN && y.isNaN { return worst }
            let error = abs(x - y) / max(1, abs(y))
            return error.isNaN ? .infinity : max(worst, error)  // NaN on one side only
        }
    }

    /// Runs one pass on `graph` in the main scope.
    static func run(_ pass: any GraphPass, on graph: Graph, opset: Int = 17, limit: Int = 64 << 20) -> (Graph, [String]) {
        var copy = graph
        let changes = pass.run(on: &copy, scope: PassScope(opsets: ["": opset], foldingByteLimit: limit))
        return (copy, changes)
    }
}
