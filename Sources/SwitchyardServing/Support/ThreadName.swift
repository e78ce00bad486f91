import CSystemShims

/// Names the calling thread for the operating system (`top -H`, `perf`, `/proc/PID/task/*/comm`).
/// Foundation's `Thread.name` does not reach the kernel on Linux, so without this every dedicated
/// thread shows the name of the thread that created it. Model instances are `MODEL@INDEX`,
/// pipeline stage workers `STAGE` or `STAGE#INDEX`.
public enum ThreadName {
    /// Sets the calling thread's name, cut to the 15 bytes Linux keeps (whole characters only).
    public static func set(_ name: String) {
        var cut = ""
        for character in name {
            if cut.utf8.count + character.utf8.count > 15 { break }
            cut.append(character)
        }
        _ = switchyard_set_thread_name(cut)
    }
}
