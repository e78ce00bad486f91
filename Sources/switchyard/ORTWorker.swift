import Foundation

/// The long-lived Python process (`scripts/ort_worker.py`) that runs the same model in ONNX
/// Runtime for `bench --compare-onnxruntime`. Requests and replies are JSON lines over pipes.
/// Used from one thread only (the benchmark's).
final class ORTWorker {
    private struct Request: Encodable {
        var command: String
        var model: String? = nil
        var threads: Int? = nil
        var inputs: [String: String]? = nil
        var directory: String? = nil
    }

    private struct Reply: Decodable {
        var ok: Bool
        var error: String?
        var seconds: Double?
        var outputs: [String: String]?
        var onnxruntime: String?
    }

    private let process = Process()
    private let requests = Pipe()
    private let replies = Pipe()
    private var buffer = Data()
    /// The ONNX Runtime version the worker imported.
    private(set) var version = ""

    /// Starts `python script` and waits for it to report that onnxruntime imported.
    init(python: String, script: String) throws(CLIError) {
        // A worker that dies must give an error on the next write, not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        process.standardInput = requests
        process.standardOutput = replies
        do { try process.run() } catch {
            throw CLIError("cannot start the ONNX Runtime worker (\(python) \(script)): \(error.localizedDescription)")
        }
        let hello = try readReply()
        version = hello.onnxruntime ?? "?"
    }

    deinit {
        if process.isRunning {
            try? send(Request(command: "quit"))
            process.waitUntilExit()
        }
    }

    func load(model: String, threads: Int) throws(CLIError) {
        _ = try request(Request(command: "load", model: model, threads: threads))
    }

    func setInputs(_ files: [String: String]) throws(CLIError) {
        _ = try request(Request(command: "inputs", inputs: files))
    }

    /// One `session.run`, timed by the worker; returns its seconds.
    func timedRun() throws(CLIError) -> Double {
        guard let seconds = try request(Request(command: "run")).seconds else {
            throw CLIError("the ONNX Runtime worker sent no timing")
        }
        return seconds
    }

    /// Runs once and saves the outputs as .npy files in `directory`; returns them by output name.
    func writeOutputs(to directory: String) throws(CLIError) -> [String: String] {
        try request(Request(command: "outputs", directory: directory)).outputs ?? [:]
    }

    private func request(_ request: Request) throws(CLIError) -> Reply {
        try send(request)
        return try readReply()
    }

    private func send(_ request: Request) throws(CLIError) {
        do {
            var line = try JSONEncoder().encode(request)
            line.append(UInt8(ascii: "\n"))
            try requests.fileHandleForWriting.write(contentsOf: line)
        } catch {
            throw CLIError("the ONNX Runtime worker stopped accepting requests: \(error.localizedDescription)")
        }
    }

    private func readReply() throws(CLIError) -> Reply {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                let reply: Reply
                do { reply = try JSONDecoder().decode(Reply.self, from: line) } catch {
                    throw CLIError("the ONNX Runtime worker sent an unreadable reply: \(String(decoding: line, as: UTF8.self))")
                }
                guard reply.ok else { throw CLIError("ONNX Runtime: \(reply.error ?? "unknown error")") }
                return reply
            }
            let chunk = replies.fileHandleForReading.availableData
            if chunk.isEmpty {
                throw CLIError("the ONNX Runtime worker exited (see its messages above)")
            }
            buffer.append(chunk)
        }
    }

    /// The Python to use: `$SWITCHYARD_PYTHON`, else `.venv/bin/python` in the working
    /// directory or in the repository that holds the worker script.
    static func python(environment: [String: String], workingDirectory: String, scriptPath: String) throws(CLIError) -> String {
        if let python = environment["SWITCHYARD_PYTHON"], !python.isEmpty { return python }
        let scriptRepository = ((scriptPath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        for root in [workingDirectory, scriptRepository] {
            let candidate = (root as NSString).appendingPathComponent(".venv/bin/python")
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CLIError("no Python for ONNX Runtime: set SWITCHYARD_PYTHON to a Python with onnxruntime and numpy, or create .venv")
    }

    /// `scripts/ort_worker.py` in the working directory or in a folder above the executable
    /// (the repository, when run from `.build/…/switchyard`).
    static func script(workingDirectory: String, executable: String) throws(CLIError) -> String {
        var roots = [workingDirectory]
        var folder = ((executable as NSString).resolvingSymlinksInPath as NSString).deletingLastPathComponent
        while folder.count > 1 {
            roots.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for root in roots {
            let candidate = (root as NSString).appendingPathComponent("scripts/ort_worker.py")
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        throw CLIError("cannot find scripts/ort_worker.py; run switchyard from the repository root")
    }
}
