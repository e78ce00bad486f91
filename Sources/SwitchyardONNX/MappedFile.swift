import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped into memory, private and copy-on-write: pages load as they are read, and
/// writes through the mapping never reach the file. Unmapped when the last reference goes.
///
/// Sendable: the mapping's address and size never change after `init`, and the bytes are only
/// written by a tensor that owns them uniquely (copy-on-write, see `TensorStorage`).
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeMutableRawPointer?
    let count: Int

    /// Maps `path`. Throws `.unreadable` with the system's reason when it cannot be opened, is a
    /// directory, or cannot be mapped. An empty file maps to zero bytes.
    init(path: String) throws(ONNXError) {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: Self.systemError()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: Self.systemError()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: (status.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "not a regular file")
        }
        count = Int(status.st_size)
        guard count > 0 else {
            bytes = nil
            return
        }
        let address = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw .unreadable(path: path, reason: "cannot map \(count) bytes: \(Self.systemError())")
        }
        bytes = address
    }

    deinit {
        if let bytes { munmap(bytes, count) }
    }

    /// The mapped bytes as `Data`, without a copy; the `Data` keeps this mapping alive.
    var data: Data {
        guard let bytes else { return Data() }
        return Data(bytesNoCopy: bytes, count: count, deallocator: .custom { [self] _, _ in _ = self })
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
