import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pins the calling thread to CPU cores (Linux `sched_setaffinity`) and reads its mask back.
/// Threads the pinned thread creates afterwards (oneDNN's OpenMP team) inherit the mask.
enum CPUAffinity {
    /// Parses a core list as `taskset -c` writes it: "0-1", "0-1,3", "2".
    static func parse(_ text: String) throws(ServingError) -> [Int] {
        var cores: Set<Int> = []
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            let bounds = item.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last!),
                  low >= 0, low <= high, high < maxCores else {
                throw .invalidArgument("cpu_cores '\(text)' is not a core list: write cores and ranges separated by commas, like \"0-1,3\" (cores 0...\(maxCores - 1))")
            }
            cores.formUnion(low...high)
        }
        return cores.sorted()
    }

    /// Highest core count a mask holds (`CPU_SETSIZE`).
    static let maxCores = 1024

    /// Pins the calling thread to `cores`.
    static func pinCurrentThread(to cores: [Int]) throws(ServingError) {
        guard let setAffinity = Glibc.setAffinity else {
            throw .invalidArgument("cpu_cores pinning needs Linux (sched_setaffinity)")
        }
        var mask = [UInt64](repeating: 0, count: maxCores / 64)
        for core in cores { mask[core / 64] |= 1 << UInt64(core % 64) }
        let status = mask.withUnsafeBytes { setAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else {
            let reason = String(cString: strerror(errno))
            throw .invalidArgument("cannot pin an instance to cpu_cores \(describe(cores)): \(reason) (the cores this process may use: \(describe(currentThreadCores() ?? [])))")
        }
    }

    /// The cores the calling thread may run on; nil where that cannot be read.
    static func currentThreadCores() -> [Int]? {
        guard let getAffinity = Glibc.getAffinity else { return nil }
        var mask = [UInt64](repeating: 0, count: maxCores / 64)
        let status = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { return nil }
        return (0..<maxCores).filter { mask[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
    }

    /// glibc's `sched_setaffinity`/`sched_getaffinity` (pid 0 = the calling thread). Swift's
    /// Glibc module hides them (they need _GNU_SOURCE), so they are looked up by name and
    /// called with the C calling convention.
    private enum Glibc {
        typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32
        typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer) -> Int32

        static let setAffinity: SetAffinity? = symbol("sched_setaffinity").map { unsafeBitCast($0, to: SetAffinity.self) }
        static let getAffinity: GetAffinity? = symbol("sched_getaffinity").map { unsafeBitCast($0, to: GetAffinity.self) }

        private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
            #if os(Linux)
            return dlsym(dlopen(nil, RTLD_NOW), name)
            #else
            return nil
            #endif
        }
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
