import Foundation
import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// Whole quantized models made by ONNX Runtime's own tools (`scripts/make-quantized-models.py`:
/// `quantize_static` QDQ U8S8 and S8S8 per-channel, `quantize_dynamic`) run by the engine and
/// compared with ONNX Runtime's outputs on the same file and inputs. Skips when the script has
/// not run (it runs from scripts/setup.sh).
///
/// The bound is in quantization steps of each output: the scale of the DequantizeLinear that
/// produces it (or, through float operators such as Softmax, the nearest one upstream). That
/// bound is not met yet (a known issue, recorded as such); the errors are printed.
@Suite(.serialized)
struct QuantizedModelTests {
    static let directory = TestPaths.root + "/.cache/quantized"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Largest accepted error, in steps of the output's quantization.
        var steps: Double
        /// Whether the bound holds on a CPU with VNNI, where every int8 layer runs in int8 as ORT's do.
        var matchesWithVNNI = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "cls.u8s8", steps: 1, matchesWithVNNI: true), Case(name: "cls.s8s8", steps: 1, matchesWithVNNI: true),
        Case(name: "cls.dynamic", steps: 1),
        Case(name: "rec.u8s8", steps: 1), Case(name: "rec.s8s8", steps: 1), Case(name: "rec.dynamic", steps: 1),
        Case(name: "det.u8s8", steps: 1), Case(name: "det.s8s8", steps: 1), Case(name: "det.dynamic", steps: 1),
        Case(name: "yolov8n-320.u8s8", steps: 1), Case(name: "yolov8n-320.s8s8", steps: 1),
        Case(name: "yolov8n-320.dynamic", steps: 1),
    ]

    static func isPresent(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(directory)/\(name)/complete")
    }

    static var anyPresent: Bool { cases.contains { isPresent($0.name) } }

    @Test(.enabled(if: anyPresent, "run scripts/make-quantized-models.py to make the quantized models"), arguments: cases)
    func matchesOnnxRuntime(_ testCase: Case) throws {
        guard Self.isPresent(testCase.name) else { return }
        let folder = "\(Self.directory)/\(testCase.name)"
        let loaded = try LoadedModel(contentsOf: "\(Self.directory)/\(testCase.name).onnx")
        var inputs: [String: Tensor] = [:]
        for input in loaded.inputs {
            inputs[input.name] = try Tensor(npyFile: "\(folder)/inputs/\(Self.fileName(input.name)).npy")
        }
        let outputs = try Session(model: loaded).run(inputs)
        let original = try ModelLoader.load(path: "\(Self.directory)/\(testCase.name).onnx")
        for output in loaded.outputs {
            let expected = try Tensor(npyFile: "\(folder)/outputs/\(Self.fileName(output.name)).npy")
            let actual = try #require(outputs[output.name])
            #expect(actual.shape == expected.shape, "\(output.name)")
            guard actual.shape == expected.shape else { continue }
            let worst = Double(largestDifference(actual, expected))
            let step = Self.outputStep(output.name, in: original.graph)
            let fused = loaded.graph.nodes.filter { $0.opType.hasPrefix("QLinear") }.count
            print("\(testCase.name) \(output.name): max |engine - ORT| = \(worst), output step \(step.map { "\($0)" } ?? "none"), \(fused) QLinear nodes")
            if let step {
                // Open (issue 4): on AVX2 without VNNI ORT's full-range weights stay on the float
                // path (see QDQFusion), and outputs differ from ORT's int8 kernels by 25-50 output
                // steps on cls/rec (0.098 and 0.19 in softmax probability), 50-160 on det. With
                // VNNI cls matches within one step; rec (31 steps), det and YOLOv8n (8) do not yet.
                withKnownIssue("whole QDQ models differ from ONNX Runtime by more than one output step") {
                    #expect(worst <= testCase.steps * step * 1.001, "\(output.name): \(worst) is more than \(testCase.steps) steps of \(step)")
                } when: {
                    !(DNNLInt8Support.hasVNNI && testCase.matchesWithVNNI)
                }
            }
        }
    }

    /// The scale of the DequantizeLinear nearest upstream of `name` (nil when there is none).
    static func outputStep(_ name: String, in graph: Graph) -> Double? {
        var producers: [String: Node] = [:]
        for node in graph.nodes { for output in node.outputs { producers[output] = node } }
        var frontier = [name], seen = Set<String>()
        while let current = frontier.first {
            frontier.removeFirst()
            guard seen.insert(current).inserted, let node = producers[current] else { continue }
            if node.opType == "DequantizeLinear", node.inputs.count > 1, let scale = graph.initializers[node.inputs[1]],
               scale.count == 1 {
                return scale.doubles()[0]
            }
            frontier += node.inputs.filter { !$0.isEmpty && graph.initializers[$0] == nil }
        }
        return nil
    }

    /// The script's file name of a tensor name ('/' is written '%2F').
    static func fileName(_ tensorName: String) -> String {
        tensorName.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }
}
