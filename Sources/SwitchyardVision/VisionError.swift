/// Why an image operation failed, with a message a user can act on.
public enum VisionError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not an image this build decodes, or they are corrupt or truncated.
    case undecodable(String)
    /// An argument is out of range (a size of zero, a crop outside the image, a wrong tensor shape).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .undecodable(let message), .invalidArgument(let message): message
        }
    }
}
