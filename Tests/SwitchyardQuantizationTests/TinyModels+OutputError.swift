import SwitchyardEngine
import SwitchyardGraph
import SwitchyardQuantization

extension TinyModels {
    /// Mean |y − y_reference| per element of output `y`, over the samples (input `x`) in `folder`.
    static func meanAbsoluteError(of candidate: Model, against reference: Model, on folder: String) throws -> Float {
        let referenceSession = try Session(model: reference), candidateSession = try Session(model: candidate)
        let set = try SampleSet(directory: folder, inputNames: ["x"])
        var total: Float = 0
        for index in 0..<set.count {
            let input = try set.sample(at: index)
            let expected = try referenceSession.run(input)["y"]!.floats(), actual = try candidateSession.run(input)["y"]!.floats()
            total += zip(expected, actual).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(expected.count)
        }
        return total / Float(set.count)
    }
}
