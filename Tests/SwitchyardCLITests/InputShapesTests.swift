import SwitchyardGraph
import Testing
@testable import switchyard

@Suite struct InputShapesTests {
    let images = ValueInfo(name: "images", dataType: .float32, shape: [.symbolic("batch"), .fixed(3), .symbolic("height"), .symbolic("width")])
    let scale = ValueInfo(name: "scale", dataType: .float32, shape: [.fixed(2)])

    @Test func batchFillsAFreeAxisZeroAndFixedSizesStay() throws {
        let model = [ValueInfo(name: "x", dataType: .float32, shape: [.unknown, .fixed(64)]), scale]
        #expect(try InputShapes.resolve(model, given: [:], batch: 8) == ["x": [8, 64], "scale": [2]])
        #expect(try InputShapes.resolve(model, given: [:]) == ["x": [1, 64], "scale": [2]])
    }

    @Test func otherFreeDimensionsNeedAShape() throws {
        let error = #expect(throws: CLIError.self) { try InputShapes.resolve([images], given: [:], batch: 4) }
        #expect(error?.description.contains("--shape images=4x3x<height>x<width>") == true)
        #expect(try InputShapes.resolve([images], given: ["images": [1, 3, 320, 480]], batch: 4) == ["images": [4, 3, 320, 480]])
    }

    @Test func namedDimensionsCarryOverToOtherInputs() throws {
        let mask = ValueInfo(name: "mask", dataType: .int64, shape: [.symbolic("batch"), .symbolic("height")])
        let shapes = try InputShapes.resolve([images, mask], given: ["images": [2, 3, 96, 128]])
        #expect(shapes == ["images": [2, 3, 96, 128], "mask": [1, 96]])
    }

    @Test func givenShapesMustFitTheDeclaration() {
        #expect(throws: CLIError.self) { try InputShapes.resolve([images], given: ["images": [1, 4, 8, 8]]) }
        #expect(throws: CLIError.self) { try InputShapes.resolve([images], given: ["images": [1, 3, 8]]) }
        #expect(throws: CLIError.self) { try InputShapes.resolve([images], given: ["image": [1, 3, 8, 8]]) }
    }

    @Test func batchSizesFollowTheModel() throws {
        #expect(try InputShapes.batchSizes(requested: nil, for: [images]) == [1])
        #expect(try InputShapes.batchSizes(requested: [1, 4], for: [images, scale]) == [1, 4])
        let fixed = ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(8)])
        #expect(try InputShapes.batchSizes(requested: nil, for: [fixed]) == [2])
        #expect(throws: CLIError.self) { try InputShapes.batchSizes(requested: [4], for: [fixed]) }
    }
}
