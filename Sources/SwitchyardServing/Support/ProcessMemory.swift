import CSystemShims
import Foundation

/// The process's memory, as the operating system sees it.
public enum ProcessMemory {
    /// Returns freed heap memory to the operating system. glibc keeps freed chunks (and raises
    /// its mmap threshold after large frees), so without this an unloaded model's bytes would
    /// stay in the process's RSS — what users of other servers report after unloading.
    public static func releaseFreedMemory() {
        _ = switchyard_release_free_heap()
    }

    /// The resident set size in bytes (from /proc/self/statm), nil where unavailable.
    public static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
