import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A session with several threads runs each batch on all of them or on one, whichever recent
/// runs of the same shapes measured faster (`ThreadChoice`, `WidthTimes`).
@Suite("Thread choice")
struct ThreadChoiceTests {
    /// Runs `times` through the choice as a session would: asks for the width, then records the
    /// time that width takes now. Returns the widths taken.
    @discardableResult
    static func drive(_ times: inout WidthTimes, runs: Int, single: Double, parallel: Double) -> [RunWidth] {
        (0..<runs).map { _ in
            let width = times.next
            times.record(width == .single ? single : parallel, width: width)
            return width
        }
    }

    @Test("each width's first runs are untimed, then both are timed alternately before choosing")
    func calibration() {
        var times = WidthTimes()
        let widths = Self.drive(&times, runs: 10, single: 0.010, parallel: 0.020)
        #expect(widths == Array(repeating: [RunWidth.parallel, .single], count: 5).flatMap { $0 })
        #expect(times.chosen == .single)
        #expect(Self.drive(&times, runs: 10, single: 0.010, parallel: 0.020).allSatisfy { $0 == .single })
    }

    @Test("the compiling first run and the slow second one do not count against their width")
    func warmUpIsIgnored() {
        var times = WidthTimes()
        times.record(5.0, width: times.next)  // parallel, compiling
        times.record(0.020, width: times.next)  // single
        times.record(0.040, width: times.next)  // parallel, still slow
        Self.drive(&times, runs: 7, single: 0.020, parallel: 0.010)
        #expect(times.chosen == .parallel)
    }

    @Test("a chosen width that slows down is left for the other")
    func leavesASlowerWidth() {
        var times = WidthTimes()
        Self.drive(&times, runs: 20, single: 0.022, parallel: 0.016)
        #expect(times.chosen == .parallel)
        // Another process starts keeping a core busy: the team's runs take 32 ms.
        let widths = Self.drive(&times, runs: 6, single: 0.022, parallel: 0.032)
        #expect(times.chosen == .single)
        #expect(widths.prefix(3).allSatisfy { $0 == .parallel }, "left after the median of its times moved: \(widths)")
        #expect(widths.suffix(3).allSatisfy { $0 == .single })
    }

    @Test("the other width is timed again after a while and taken back when it has become faster")
    func retimesTheOtherWidth() {
        var times = WidthTimes()
        Self.drive(&times, runs: 12, single: 0.022, parallel: 0.032)
        #expect(times.chosen == .single)
        // The load goes away: two threads would now take 16 ms, but only a retiming can tell.
        let widths = Self.drive(&times, runs: WidthTimes.longestInterval + 2 * WidthTimes.needed, single: 0.022, parallel: 0.016)
        #expect(times.chosen == .parallel)
        let firstParallel = widths.firstIndex(of: .parallel) ?? widths.count
        #expect(firstParallel <= WidthTimes.longestInterval, "retimed after \(firstParallel) runs")
    }

    @Test("retimings that confirm the choice come less and less often, up to a limit")
    func retimingBacksOff() {
        var times = WidthTimes()
        let widths = Self.drive(&times, runs: 2_000, single: 0.030, parallel: 0.015)
        #expect(times.chosen == .parallel)
        #expect(times.interval == WidthTimes.longestInterval)
        let singles = widths.dropFirst(10).filter { $0 == .single }.count
        // After 32, 64, 128 runs, then every 256: nine retimings of 4 runs each in 2,000 runs.
        #expect(singles >= 4 * 8 && singles <= 4 * 10, "\(singles) runs on one thread")
    }

    @Test("two widths within the noise margin keep the first choice")
    func marginKeepsTheChoice() {
        var times = WidthTimes()
        Self.drive(&times, runs: 8, single: 0.0200, parallel: 0.0196)
        #expect(times.chosen == .parallel)
        Self.drive(&times, runs: 200, single: 0.0196, parallel: 0.0200)
        #expect(times.chosen == .parallel)
    }

    @Test("a session with two threads runs on one thread too, with the same outputs as a one-thread session")
    func sessionRunsBothWidths() throws {
        let model = try LoadedModel(model: Model(graph: BatchSeparabilityTests.convolutionHead()))
        var generator = SeededGenerator(seed: UInt64.random(in: 1...UInt64.max))
        let session = try Session(model: model, options: SessionOptions(threads: 2))
        let reference = try Session(model: model, options: SessionOptions(threads: 1))
        for batch in [1, 4] {
            for _ in 0..<8 {
                let x = generator.tensor([batch, 3, 8, 8])
                let got = try session.run(["x": x])["y"]!
                let expected = try reference.run(["x": x])["y"]!
                #expect(ModelErrors.normalizedMax(got.floats(), expected.floats()) <= 1e-6, "seed \(generator.seed)")
            }
        }
        #expect(session.choosesThreads)
        let counts = session.runWidthCounts
        #expect(counts.oneThread >= 2 * 4 && counts.allThreads >= 2 * 4, "calibration runs both widths per shape: \(counts)")
        #expect(counts.oneThread + counts.allThreads == 16)
    }

    @Test("a session with fixed threads, or one thread, never chooses")
    func fixedSessionsDoNotChoose() throws {
        let model = try LoadedModel(model: Model(graph: BatchSeparabilityTests.convolutionHead()))
        var generator = SeededGenerator(seed: 5)
        for options in [SessionOptions(threads: 2, adaptsThreads: false), SessionOptions(threads: 1)] {
            let session = try Session(model: model, options: options)
            #expect(!session.choosesThreads)
            for _ in 0..<4 { _ = try session.run(["x": generator.tensor([2, 3, 8, 8])]) }
            #expect(session.runWidthCounts == (0, 0))
        }
    }
}
