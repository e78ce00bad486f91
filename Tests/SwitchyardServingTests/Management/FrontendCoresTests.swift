import Foundation
import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

/// `switchyard serve --threads 1` on a machine with more cores keeps its frontend apart: seen from
/// `/proc`, the instance thread may run only on the first core and every other thread only on the
/// rest. Runs the built binary (a separate process: pinning this test process would pin every
/// other test); skips when it is missing or this process may use a single core.
@Suite struct FrontendCoresTests {
    static var binary: String? {
        var root = URL(fileURLWithPath: #filePath)  // Tests/SwitchyardServingTests/Management/FrontendCoresTests.swift
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/switchyard").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var cores: [Int] { CPUAffinity.currentThreadCores() ?? [] }

    @Test(.enabled(if: binary != nil && cores.count >= 2, "needs .build/debug/switchyard and two cores"))
    func instancesAndFrontendRunOnSeparateCores() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try repository.add("affine", model: TestModels.affine())
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.binary!)
        server.arguments = ["serve", "--model-repository", repository.path, "--threads", "1",
                            "--http-port", "\(port)", "--metrics-port", "\(port + 1)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }

        let tasks = "/proc/\(server.processIdentifier)/task"
        func threads() -> [(name: String, cores: String)] {
            let ids = (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []
            return ids.compactMap { id in
                guard let name = try? String(contentsOfFile: "\(tasks)/\(id)/comm", encoding: .utf8),
                      let status = try? String(contentsOfFile: "\(tasks)/\(id)/status", encoding: .utf8),
                      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
                else { return nil }
                return (name.trimmingCharacters(in: .whitespacesAndNewlines),
                        line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces))
            }
        }
        // The instance thread exists once the model has loaded (a debug build takes a while).
        let deadline = Date(timeIntervalSinceNow: 120)
        while server.isRunning, Date() < deadline, !threads().contains(where: { $0.name == "affine@0" }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(server.isRunning, "the server exited")
        let seen = threads()
        let inference = CPUAffinity.describe([Self.cores[0]])
        let frontend = CPUAffinity.describe(Array(Self.cores.dropFirst()))
        #expect(seen.filter { $0.name == "affine@0" }.map(\.cores) == [inference])
        let others = seen.filter { $0.name != "affine@0" }
        #expect(others.count >= 3)  // main, the HTTP event loops, the async executor's threads
        for thread in others {
            #expect(thread.cores == frontend, "thread '\(thread.name)' may run on \(thread.cores)")
        }
    }
}
