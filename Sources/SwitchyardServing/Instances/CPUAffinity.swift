import CSystemShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pins the calling thread to CPU cores (Linux `sched_setaffinity`) and reads its mask back.
/// Threads the pinned thread creates afterwards (oneDNN's OpenMP team) inherit the mask.
enum CPUAffinity {
    /// Highest core count a mask holds (`CPU_SETSIZE`).
    static let maxCores = 1024

    /// Pins the calling thread to `cores`.
    static func pinCurrentThread(to cores: [Int]) throws(ServingError) {
        if let outside = cores.first(where: { $0 >= maxCores }) {
            throw .invalidArgument("cpu_cores \(describe(cores)) names core \(outside); this build pins cores 0...\(maxCores - 1)")
        }
        var mask = [UInt64](repeating: 0, count: maxCores / 64)
        for core in cores { mask[core / 64] |= 1 << UInt64(core % 64) }
        let status = mask.withUnsafeBytes { switchyard_set_thread_affinity($0.baseAddress!, $0.count) }
        guard status == 0 else {
            let reason = String(cString: strerror(status))
            throw .invalidArgument("cannot pin an instance to cpu_cores \(describe(cores)): \(reason) (the cores this process may use: \(describe(currentThreadCores() ?? [])))")
        }
    }

    /// The cores the calling thread may run on; nil where that cannot be read.
    static func currentThreadCores() -> [Int]? {
        var mask = [UInt64](repeating: 0, count: maxCores / 64)
        let status = mask.withUnsafeMutableBytes { switchyard_get_thread_affinity($0.baseAddress!, $0.count) }
        guard status == 0 else { return nil }
        return (0..<maxCores).filter { mask[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
    }

    /// "0-1,3" for [0, 1, 3].
    static func describe(_ cores: [Int]) -> String {
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
