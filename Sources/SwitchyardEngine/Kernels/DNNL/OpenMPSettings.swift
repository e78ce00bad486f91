import COpenMPDefaults

/// How oneDNN's threading runtime (GNU OpenMP) was configured for this process.
public enum OpenMPSettings {
    /// The spin count the engine gave GNU OpenMP's idle threads before it started (so that
    /// they soon sleep instead of taking CPU time from the threads they wait for), or nil when
    /// the environment chose (`OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` set) or the engine could
    /// not (a process that is not an executable linking it).
    public static var defaultSpinCount: Int? {
        let count = Int(switchyard_openmp_default_spin_count())
        return count > 0 ? count : nil
    }
}
