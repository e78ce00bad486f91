import Synchronization

/// How one run of a session with several threads computes: with all of them (an OpenMP team per
/// oneDNN primitive, or one piece of the batch per thread) or on the calling thread alone.
enum RunWidth: Sendable, Hashable {
    case single
    case parallel

    var other: RunWidth { self == .single ? .parallel : .single }
}

/// Chooses, run by run, whether a session with several threads uses them or runs on one thread,
/// from the times of recent runs on inputs of the same shapes (`WidthTimes`).
///
/// More threads win on an idle machine, but every oneDNN primitive ends at an OpenMP barrier
/// that waits for the whole team, and when another process keeps a core busy the team's other
/// thread is often not running. Measured on 2 cores with one busy process, YOLOv8n at batch 1
/// took 32 ms a run on two threads and 22 ms on one (14–18 ms on two when idle).
final class ThreadChoice: Sendable {
    /// The input shapes of a run, in the program's input order: runs of other shapes take other times.
    typealias Shapes = [[Int]]

    /// Input shapes remembered at once; past it the records start again (a model served at many
    /// shapes pays a few calibration runs per shape again).
    static let shapeCapacity = 64

    private let records = Mutex<[Shapes: WidthTimes]>([:])
    private let singleRuns = Atomic<Int>(0)
    private let parallelRuns = Atomic<Int>(0)

    /// The width the next run on inputs of `shapes` should take.
    func width(for shapes: Shapes) -> RunWidth {
        records.withLock { $0[shapes]?.next ?? WidthTimes().next }
    }

    /// Records that a run on inputs of `shapes` took `seconds` at `width`.
    func record(_ seconds: Double, width: RunWidth, for shapes: Shapes) {
        records.withLock { records in
            if records[shapes] == nil && records.count >= Self.shapeCapacity { records.removeAll() }
            records[shapes, default: WidthTimes()].record(seconds, width: width)
        }
        if width == .single {
            singleRuns.add(1, ordering: .relaxed)
        } else {
            parallelRuns.add(1, ordering: .relaxed)
        }
    }

    /// Runs so far on one thread and on all of them.
    var runCounts: (oneThread: Int, allThreads: Int) {
        (singleRuns.load(ordering: .relaxed), parallelRuns.load(ordering: .relaxed))
    }
}

/// The recent run times of one input shape at each width, and the width they choose.
///
/// Each width's first runs are not timed: the first compiles its plans, and the second was still
/// up to twice as slow as later ones now and then (YOLOv8n on two threads). Then both widths are
/// timed alternately until each has `needed` times, and the one with the lower median is chosen. Every
/// run on the chosen width adds its time, so a chosen width that slows down is left as soon as
/// the median of its recent times passes the other's. The other width's times are retaken
/// (one untimed run, then `needed` timed ones) after `firstInterval` runs on the chosen one; each
/// time that confirms the choice, the wait doubles, up to `longestInterval`.
struct WidthTimes {
    /// Untimed first runs per width.
    static let untimed = 2
    /// Times kept per width.
    static let kept = 5
    /// Times a width needs before it is compared, and the runs that retime the other width.
    static let needed = 3
    /// Runs on the chosen width before the other is timed again: at first, and at most.
    static let firstInterval = 16
    static let longestInterval = 256
    /// The other width takes over only when its median is below the chosen one's times this, so
    /// that noise between two nearly equal widths does not flip the choice back and forth.
    static let margin = 0.95

    private var times: [RunWidth: [Double]] = [.single: [], .parallel: []]
    private var untimedRuns: [RunWidth: Int] = [.single: 0, .parallel: 0]
    private(set) var chosen = RunWidth.parallel
    private(set) var interval = firstInterval
    private var runsUntilRetiming = firstInterval

    /// The width the next run should take.
    var next: RunWidth {
        guard times[.parallel]!.count < Self.needed || times[.single]!.count < Self.needed else { return chosen }
        // Calibrating, or retiming the other width: the width with fewer runs so far.
        let parallel = untimedRuns[.parallel]! + times[.parallel]!.count
        return parallel <= untimedRuns[.single]! + times[.single]!.count ? .parallel : .single
    }

    mutating func record(_ seconds: Double, width: RunWidth) {
        guard untimedRuns[width]! >= Self.untimed else {
            untimedRuns[width]! += 1
            return
        }
        times[width]!.append(seconds)
        if times[width]!.count > Self.kept { times[width]!.removeFirst() }
        guard let chosenMedian = median(chosen), let otherMedian = median(chosen.other) else { return }
        if otherMedian < chosenMedian * Self.margin {
            chosen = chosen.other
            interval = Self.firstInterval
            runsUntilRetiming = interval
        } else if width != chosen {
            // The other width has just been (re)timed, and the choice holds.
            interval = min(interval * 2, Self.longestInterval)
            runsUntilRetiming = interval
        } else {
            runsUntilRetiming -= 1
            if runsUntilRetiming <= 0 {
                // Its first run after a while on the chosen width is not timed either: on two
                // threads it wakes a team thread that has gone to sleep.
                times[chosen.other] = []
                untimedRuns[chosen.other] = Self.untimed - 1
            }
        }
    }

    /// The median of `width`'s times, nil while it has fewer than `needed`.
    func median(_ width: RunWidth) -> Double? {
        let sorted = times[width]!.sorted()
        return sorted.count < Self.needed ? nil : sorted[sorted.count / 2]
    }
}
