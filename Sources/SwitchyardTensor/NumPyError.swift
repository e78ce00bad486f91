/// Why bytes could not be read (or written) as a NumPy `.npy` array.
public enum NumPyError: Error, Sendable, CustomStringConvertible {
    /// Not a well-formed `.npy` file: bad magic, truncated, a header that does not parse.
    case invalid(String)
    /// A valid `.npy` file of a kind not supported (Fortran order, big-endian, complex, objects…).
    case unsupported(String)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let message): "not a valid .npy array: \(message)"
        case .unsupported(let message): "unsupported .npy array: \(message)"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
