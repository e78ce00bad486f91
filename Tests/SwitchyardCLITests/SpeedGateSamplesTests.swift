import Foundation
import Testing
import SwitchyardTensor
@testable import switchyard

/// The speed gate's timing inputs: `--speed-batch N` joins the first N samples along the batch axis.
@Suite struct SpeedGateSamplesTests {
    private func folder(_ samples: [Tensor]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("speed-batch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, sample) in samples.enumerated() {
            try sample.writeNpy(to: "\(folder)/\(String(format: "%04d", index)).npy")
        }
        return folder
    }

    @Test func joinsTheFirstSamplesCyclingWhenTooFew() throws {
        let samples = (0..<3).map { index in Tensor(shape: [1, 2, 2], scalars: (0..<4).map { Float(index * 10 + $0) }) }
        let directory = try folder(samples)
        let one = try SpeedGateSamples(directory: directory, batch: 1).inputs(names: ["x"])
        #expect(one["x"]?.shape == [1, 2, 2] && one["x"]?.floats() == samples[0].floats())
        let five = try #require(try SpeedGateSamples(directory: directory, batch: 5).inputs(names: ["x"])["x"])
        #expect(five.shape == [5, 2, 2])
        #expect(five.floats() == [0, 1, 2, 0, 1].flatMap { samples[$0].floats() })
    }

    @Test func samplesWithoutABatchAxisOfOneAreRefused() throws {
        let directory = try folder([Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])])
        #expect(throws: CLIError.self) { try SpeedGateSamples(directory: directory, batch: 2).inputs(names: ["x"]) }
    }
}
