import ArgumentParser
import SwitchyardGraph
import Testing
@testable import switchyard

@Suite struct ArgumentParsingTests {
    @Test func shapeAssignmentSplitsAtTheLastEquals() throws {
        #expect(try ShapeAssignment.parse("images=1x3x640x640") == ShapeAssignment(name: "images", dimensions: [1, 3, 640, 640]))
        #expect(try ShapeAssignment.parse("a=b=2x5") == ShapeAssignment(name: "a=b", dimensions: [2, 5]))
        #expect(try ShapeAssignment.parse("step=") == ShapeAssignment(name: "step", dimensions: []))
    }

    @Test(arguments: ["images", "=1x3", "images=1x-3", "images=1xx3", "images=1x3.5", "images=axb"])
    func malformedShapesAreRejected(_ text: String) {
        #expect(throws: CLIError.self) { try ShapeAssignment.parse(text) }
    }

    @Test func inputFileAssignment() throws {
        #expect(try InputFileAssignment.parse("input:0=data/x.npy") == InputFileAssignment(name: "input:0", path: "data/x.npy"))
        #expect(throws: CLIError.self) { try InputFileAssignment.parse("x=") }
        #expect(throws: CLIError.self) { try InputFileAssignment.parse("x.npy") }
    }

    @Test func positiveIntLists() throws {
        #expect(try PositiveIntList.parse("1,4,8") == [1, 4, 8])
        #expect(try PositiveIntList.parse("2") == [2])
        for bad in ["", "1,,2", "0", "-1", "1,x"] {
            #expect(throws: CLIError.self) { try PositiveIntList.parse(bad) }
        }
    }

    @Test func benchParsesEveryOption() throws {
        let command = try BenchCommand.parse([
            "model.onnx", "--shape", "images=1x3x320x320", "--shape", "mask=1x20", "--batch", "1,4,8",
            "--threads", "1,2", "--warmup", "2", "--seconds", "1.5", "--compare-onnxruntime", "--json",
        ])
        #expect(command.model == "model.onnx")
        #expect(try command.shapes.byName() == ["images": [1, 3, 320, 320], "mask": [1, 20]])
        #expect(command.batch == [1, 4, 8])
        #expect(command.threads == [1, 2])
        #expect(command.warmup == 2)
        #expect(command.stopRule == .seconds(1.5))
        #expect(command.compareONNXRuntime)
        #expect(command.json)
    }

    @Test func benchDefaults() throws {
        let command = try BenchCommand.parse(["model.onnx"])
        #expect(command.batch == nil)
        #expect(command.threads == [1])
        #expect(command.stopRule == .iterations(20))
        #expect(!command.compareONNXRuntime)
    }

    @Test func benchRejectsIterationsWithSeconds() {
        #expect(throws: (any Error).self) { try BenchCommand.parse(["m.onnx", "--iterations", "5", "--seconds", "2"]) }
        #expect(throws: (any Error).self) { try BenchCommand.parse(["m.onnx", "--batch", "0"]) }
        #expect(throws: (any Error).self) { try BenchCommand.parse(["m.onnx", "--shape", "x"]) }
    }

    @Test func inferNeedsAnOutputDirectory() throws {
        let command = try InferCommand.parse(["m.onnx", "--input", "x=a.npy", "--input", "y=b.npy", "--output-dir", "out", "--threads", "2"])
        #expect(command.inputs.map(\.name) == ["x", "y"])
        #expect(command.outputDirectory == "out")
        #expect(command.threads == 2)
        #expect(throws: (any Error).self) { try InferCommand.parse(["m.onnx", "--input", "x=a.npy"]) }
        #expect(throws: (any Error).self) { try InferCommand.parse(["m.onnx", "--output-dir", "o", "--threads", "0"]) }
    }

    @Test func shapeGivenTwiceIsAnError() throws {
        let command = try InspectCommand.parse(["m.onnx", "--shape", "x=1", "--shape", "x=2"])
        #expect(throws: CLIError.self) { try command.shapes.byName() }
    }
}
