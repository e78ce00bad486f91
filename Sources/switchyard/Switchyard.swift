import ArgumentParser

/// The `switchyard` command line.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Run ONNX models on this machine: inspect, infer, benchmark, serve.",
        subcommands: [ServeCommand.self, InspectCommand.self, InferCommand.self, BenchCommand.self, ConformanceCommand.self]
    )
}
