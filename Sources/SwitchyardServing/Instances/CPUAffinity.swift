import CSystemShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pins the calling thread (an instance) or every thread of the process (the server's frontend)
/// to CPU cores with Linux `sched_setaffinity`, and reads a thread's mask back. Threads a pinned
/// thread creates afterwards (oneDNN's OpenMP team, NIO's event loops) inherit its mask.
public enum CPUAffinity {
    /// Highest core count a mask holds (`CPU_SETSIZE`).
    static let maxCores = 1024

    /// Pins the calling thread to `cores`.
    static func pinCurrentThread(to cores: [Int]) throws(ServingError) {
        let mask = try mask(of: cores, named: "cpu_cores")
        let status = mask.withUnsafeBytes { switchyard_set_thread_affinity($0.baseAddress!, $0.count) }
        guard status == 0 else {
            let reason = String(cString: strerror(status))
            throw .invalidArgument("cannot pin an instance to cpu_cores \(describe(cores)): \(reason) (the cores this process may use: \(describe(currentThreadCores() ?? [])))")
        }
    }

    /// Pins every thread the process has now to `cores`; threads they start later inherit it.
    /// Returns how many threads were pinned.
    @discardableResult
    public static func pinProcessThreads(to cores: [Int]) throws(ServingError) -> Int {
        let mask = try mask(of: cores, named: "--frontend-cores")
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var pinned = 0
        for tid in tasks.compactMap({ Int32($0) }) {
            let status = mask.withUnsafeBytes { switchyard_set_task_affinity(tid, $0.baseAddress!, $0.count) }
            if status == ESRCH { continue }  // the thread exited meanwhile
            guard status == 0 else {
                throw .invalidArgument("cannot pin the server's threads to cores \(describe(cores)): \(String(cString: strerror(status))) (the cores this process may use: \(describe(currentThreadCores() ?? [])))")
            }
            pinned += 1
        }
        return pinned
    }

    /// `cores` as a `cpu_set_t`; `name` is the setting they come from, for the error.
    private static func mask(of cores: [Int], named name: String) throws(ServingError) -> [UInt64] {
        if let outside = cores.first(where: { $0 >= maxCores }) {
            throw .invalidArgument("\(name) \(describe(cores)) names core \(outside); this build pins cores 0...\(maxCores - 1)")
        }
        var mask = [UInt64](repeating: 0, count: maxCores / 64)
        for core in cores { mask[core / 64] |= 1 << UInt64(core % 64) }
        return mask
    }

    /// The cores the calling thread may run on; nil where that cannot be read.
    public static func currentThreadCores() -> [Int]? {
        var mask = [UInt64](repeating: 0, count: maxCores / 64)
        let status = mask.withUnsafeMutableBytes { switchyard_get_thread_affinity($0.baseAddress!, $0.count) }
        guard status == 0 else { return nil }
        return (0..<maxCores).filter { mask[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
    }

    /// "0-1,3" for [0, 1, 3].
    public static func describe(_ cores: [Int]) -> String {
        var ranges: [String] = []
        var index = 0
        while index < cores.count {
            var end = index
            while end + 1 < cores.count && cores[end + 1] == cores[end] + 1 { end += 1 }
            ranges.append(end == index ? "\(cores[index])" : "\(cores[index])-\(cores[end])")
            index = end + 1
        }
        return ranges.joined(separator: ",")
    }
}
