#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cheap summary of a model directory that changes when anything the server loads from it
/// changes: config.pbtxt's bytes, and the files (name, size, modification time) in each
/// version directory. Pollers compare fingerprints to tell which models to reload; computing
/// one reads the config and stats the version directories' files, nothing more.
public struct ModelFingerprint: Sendable, Hashable {
    /// One file of a version directory.
    public struct FileStamp: Sendable, Hashable {
        public var name: String
        public var size: Int64
        /// Modification time, nanoseconds since the epoch.
        public var modifiedNanoseconds: Int64
    }

    /// A version directory and its files, sorted by name.
    public struct VersionStamp: Sendable, Hashable {
        public var version: Int64
        public var files: [FileStamp]
    }

    /// FNV-1a of config.pbtxt's bytes; nil when the model has no config.
    public var configDigest: UInt64?
    /// The version directories, ascending.
    public var versions: [VersionStamp]

    public init(configDigest: UInt64?, versions: [VersionStamp]) {
        self.configDigest = configDigest
        self.versions = versions
    }

    /// 64-bit FNV-1a, enough to tell edits apart (not a security digest).
    static func digest<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// Size and modification time of a regular file; nil for anything else or a failed stat.
    static func stamp(name: String, path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return FileStamp(name: name, size: Int64(info.st_size),
                         modifiedNanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }
}
