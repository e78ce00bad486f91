import ArgumentParser
import SwitchyardEngine

/// The `switchyard` command line.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Run ONNX models on this machine: inspect, infer, benchmark, serve.",
        subcommands: [ServeCommand.self, InspectCommand.self, InferCommand.self, BenchCommand.self, ConformanceCommand.self,
                      ValidateCommand.self, PipelineCommand.self]
    )

    static func main() async {
        // Before any oneDNN work: on a shared machine libgomp's default spinning makes every
        // multi-threaded run many times slower (see OpenMPSettings).
        OpenMPSettings.restartWithShortSpinCountIfNeeded()
        await main(nil)
    }
}
