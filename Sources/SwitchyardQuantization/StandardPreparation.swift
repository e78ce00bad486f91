import SwitchyardEngine
import SwitchyardGraph

/// The engine passes whose results are still plain ONNX (no `ai.switchyard` nodes), run before
/// quantizing: constants become initializers, identities go, constant subgraphs are folded and
/// BatchNormalization (and per-channel Mul/Add) after a Conv is folded into its weights — so a
/// variance near 1e8 (PP-OCR det) never has to be stored at low precision — and a ConvTranspose
/// whose kernel equals its stride becomes a 1×1 Conv and a DepthToSpace, which quantize like
/// any convolution (PP-OCR det's upsampling head).
enum StandardPreparation {
    /// Largest constant the preparation may create; bigger folds would grow the file.
    static let foldingByteLimit = 1 << 20

    static let optimizer = Optimizer(passes: [
        ConstantNodesToInitializers(),
        IdentityElimination(),
        ConstantFolding(),
        ConvTransposeAsConvolution(),
        ConvAffineFolding(),
        DeadNodeElimination(),
    ], foldingByteLimit: foldingByteLimit)

    /// The prepared model and one note per kind of change.
    static func prepare(_ model: Model) -> (model: Model, notes: [String]) {
        let (prepared, report) = optimizer.optimize(model)
        var notes: [String] = []
        let folded = report.changes.filter { $0.pass == "conv-affine-folding" }
        if !folded.isEmpty {
            let kinds = folded.reduce(into: [String: Int]()) { counts, change in
                let op = change.detail.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
                counts[op, default: 0] += 1
            }
            let listing = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            notes.append("folded into Conv weights before converting: \(listing)")
        }
        let upsamplings = report.changes.filter { $0.pass == "conv-transpose-as-convolution" }.count
        if upsamplings > 0 {
            notes.append("\(upsamplings) ConvTranspose (kernel = stride) rewritten as 1×1 Conv + DepthToSpace, so they convert like convolutions")
        }
        let constants = report.changes.filter { $0.pass == "constant-folding" }.count
        if constants > 0 { notes.append("folded \(constants) constant node\(constants == 1 ? "" : "s")") }
        return (prepared, notes)
    }
}
