import ArgumentParser

/// `switchyard pipeline …`: queue-based pipelines of sources, processors, models and sinks.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Run queue-based pipelines: frames in, processors and models, events out (see docs/pipelines.md).",
        subcommands: [PipelineRunCommand.self]
    )
}
