#if canImport(Glibc)
import Glibc
#endif

/// How oneDNN's threading runtime (GNU OpenMP) should be configured, and the one way to do it.
///
/// GNU OpenMP's idle team threads spin 300,000 times (about a millisecond) before sleeping, and
/// every oneDNN primitive is a parallel region whose end waits for the whole team. On a machine
/// whose cores other processes also want, a spinning worker burns the time slice the thread it
/// waits for needs. Measured with YOLOv8n at 2 threads and a load of 10-13 on 2 cores: 0.8-3.3 s
/// per run with the default spin count, 57-250 ms with 1,000 (ONNX Runtime: 110-340 ms). Too few
/// spins cost the other way: a worker that went to sleep between two primitives takes tens of
/// microseconds to wake in a virtual machine. With 3,000, batch-1 runs on two threads of an idle
/// machine were 10-20 % faster than with 1,000 (YOLOv8n 14.6 against 17.0 ms); with another
/// process keeping a core busy two threads lose at any spin count, and a session then runs on one
/// (`ThreadChoice`), where the spin count does not matter. libgomp reads its settings from the
/// environment once, while the process loads, so they can only be changed by starting the
/// process again.
public enum OpenMPSettings {
    /// The spin count the engine's executables give GNU OpenMP.
    public static let spinCount = 3000

    /// Call first thing in `main`: when neither `OMP_WAIT_POLICY` nor `GOMP_SPINCOUNT` is set,
    /// sets `GOMP_SPINCOUNT` to `spinCount` and replaces the process with a fresh copy of itself
    /// (same arguments) that libgomp starts with that setting. Returns when the environment
    /// already chose, or when the restart is not possible (the process then keeps libgomp's
    /// defaults).
    public static func restartWithShortSpinCountIfNeeded() {
        #if os(Linux)
        guard getenv("OMP_WAIT_POLICY") == nil, getenv("GOMP_SPINCOUNT") == nil,
              setenv("GOMP_SPINCOUNT", String(spinCount), 1) == 0 else { return }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Reached only when exec failed; the variable set above stops any further attempt.
        #endif
    }
}
