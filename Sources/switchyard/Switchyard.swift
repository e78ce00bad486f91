import ArgumentParser

/// The `switchyard` command line.
@main
struct Switchyard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Run ONNX models on this machine: inspect, infer, benchmark, serve.",
        subcommands: [InspectCommand.self, InferCommand.self, BenchCommand.self, ConformanceCommand.self]
    )
}
