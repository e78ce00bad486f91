import Foundation
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// The result of one ONNX conformance case.
public struct ConformanceOutcome: Sendable {
    public enum Status: String, Sendable { case passed, failed, skipped }
    /// The case's folder name (`test_conv_with_strides_padding`).
    public var name: String
    public var status: Status
    /// Why it failed or was skipped; empty when it passed.
    public var detail: String
    /// The operators without a kernel, when that is why it failed.
    public var missingOperators: [String] = []
}

/// Runs ONNX's node conformance cases — folders holding `model.onnx` and
/// `test_data_set_N/{input,output}_K.pb` — and compares the engine's outputs with the expected
/// ones as ONNX's own backend runner does (`|actual - expected| <= atol + rtol * |expected|`,
/// NaN matching NaN, integers, bools and strings exactly).
///
/// A case is *skipped* only when it exchanges values the engine does not model (sequences,
/// maps, optionals, or element types such as float8); an unsupported operator is a failure.
public struct ConformanceRunner: Sendable {
    public var relativeTolerance = 1e-3
    public var absoluteTolerance = 1e-7
    public var sessionOptions: SessionOptions

    public init(sessionOptions: SessionOptions = SessionOptions()) {
        self.sessionOptions = sessionOptions
    }

    /// The case folders under `root`, sorted by name.
    public static func caseDirectories(in root: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        return names.compactMap { name in
            let path = (root as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("model.onnx")) ? path : nil
        }
    }

    /// Runs one case folder.
    public func run(caseAt directory: String) -> ConformanceOutcome {
        let name = (directory as NSString).lastPathComponent
        func outcome(_ status: ConformanceOutcome.Status, _ detail: String = "") -> ConformanceOutcome {
            ConformanceOutcome(name: name, status: status, detail: detail)
        }
        let model: Model
        do {
            model = try ModelLoader.load(path: (directory as NSString).appendingPathComponent("model.onnx"))
        } catch .unsupported(let message) {
            return outcome(.skipped, message)
        } catch {
            return outcome(.failed, error.description)
        }
        let declared = model.graph.inputs + model.graph.outputs
        if let odd = declared.first(where: { $0.kind != .tensor }) {
            return outcome(.skipped, "'\(odd.name)' is a \(odd.kind), not a tensor")
        }
        let session: Session
        do {
            session = try Session(model: model, options: sessionOptions)
        } catch .unsupportedOperators(let operators) {
            var result = outcome(.failed, EngineError.unsupportedOperators(operators).description)
            result.missingOperators = Array(Set(operators.map(\.opType))).sorted()
            return result
        } catch {
            return outcome(.failed, error.description)
        }
        do {
            for dataSet in try dataSets(in: directory) {
                let inputs = try readTensors(dataSet, prefix: "input", declared: model.graph.inputs)
                let expected = try readTensors(dataSet, prefix: "output", declared: model.graph.outputs)
                var feeds: [String: Tensor] = [:]
                for (info, tensor) in zip(model.graph.inputs, inputs) { feeds[info.name] = tensor }
                let results = try session.run(feeds)
                for (info, want) in zip(model.graph.outputs, expected) {
                    guard let got = results[info.name] else {
                        return outcome(.failed, "output '\(info.name)' was not produced")
                    }
                    if let mismatch = compare(got, want) {
                        return outcome(.failed, "\((dataSet as NSString).lastPathComponent) output '\(info.name)': \(mismatch)")
                    }
                }
            }
        } catch ONNXError.unsupported(let message) {
            return outcome(.skipped, message)
        } catch {
            return outcome(.failed, "\(error)")
        }
        return outcome(.passed)
    }

    private func dataSets(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("test_data_set_") }
            .sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    private func readTensors(_ dataSet: String, prefix: String, declared: [ValueInfo]) throws -> [Tensor] {
        try declared.indices.compactMap { index in
            let path = (dataSet as NSString).appendingPathComponent("\(prefix)_\(index).pb")
            // Trailing optional inputs may have no file.
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            guard case .tensor(let tensor) = try TestDataReader.value(path: path, kind: .tensor) else { return nil }
            return tensor
        }
    }

    /// Why `got` differs from `want`, or `nil` when it matches within tolerance.
    func compare(_ got: Tensor, _ want: Tensor) -> String? {
        if got.shape != want.shape { return "shape \(got.shape), expected \(want.shape)" }
        if got.dataType != want.dataType { return "dtype \(got.dataType), expected \(want.dataType)" }
        switch want.dataType {
        case .string:
            let (a, b) = (got.strings, want.strings)
            if let index = a.indices.first(where: { a[$0] != b[$0] }) {
                return "element \(index) is \"\(a[index])\", expected \"\(b[index])\""
            }
        case .int64, .uint64:
            let (a, b) = (got.int64s(), want.int64s())
            if let index = a.indices.first(where: { a[$0] != b[$0] }) {
                return "element \(index) is \(a[index]), expected \(b[index])"
            }
        default:
            let (a, b) = (got.doubles(), want.doubles())
            let exact = !want.dataType.isFloatingPoint
            for index in a.indices {
                let (x, y) = (a[index], b[index])
                if x.isNaN && y.isNaN { continue }
                if x == y { continue }
                if exact || !(abs(x - y) <= absoluteTolerance + relativeTolerance * abs(y)) {
                    return "element \(index) is \(x), expected \(y)"
                }
            }
        }
        return nil
    }
}
