/// Bytes the models of each device may hold, from `--memory-budget cpu=6GiB[,gpu=…]`.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// Bytes per device name ("cpu"); a device without an entry is unlimited.
    public private(set) var bytesByDevice: [String: Int]

    public init(bytesByDevice: [String: Int] = [:]) {
        self.bytesByDevice = bytesByDevice
    }

    /// No limit on any device.
    public static let unlimited = MemoryBudget()

    /// The CPU's budget in bytes, nil when unlimited.
    public var cpuBytes: Int? { bytesByDevice["cpu"] }

    /// Parses `DEVICE=SIZE[,DEVICE=SIZE…]`; sizes take B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB
    /// (decimal units are powers of 1000, binary ones of 1024; a bare number is bytes).
    public static func parse(_ text: String) throws(ServingError) -> MemoryBudget {
        var budget = MemoryBudget()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let device = parts.first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            guard parts.count == 2, !device.isEmpty else {
                throw .invalidArgument("memory budget '\(text)': expected DEVICE=SIZE (e.g. cpu=6GiB), got '\(item)'")
            }
            guard budget.bytesByDevice[device] == nil else {
                throw .invalidArgument("memory budget '\(text)': device '\(device)' is given twice")
            }
            budget.bytesByDevice[device] = try parseSize(String(parts[1]).trimmingWhitespace(), context: text)
        }
        return budget
    }

    static func parseSize(_ text: String, context: String) throws(ServingError) -> Int {
        let digits = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(digits.count).trimmingWhitespace().lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1,
            "k": 1e3, "kb": 1e3, "kib": 1024,
            "m": 1e6, "mb": 1e6, "mib": 1_048_576,
            "g": 1e9, "gb": 1e9, "gib": 1_073_741_824,
            "t": 1e12, "tb": 1e12, "tib": 1_099_511_627_776,
        ]
        guard let value = Double(digits), let multiplier = multipliers[unit], value > 0 else {
            throw .invalidArgument("memory budget '\(context)': '\(text)' is not a positive size such as 6GiB, 512MB or 1000000")
        }
        let bytes = value * multiplier
        guard bytes < Double(Int.max) else {
            throw .invalidArgument("memory budget '\(context)': '\(text)' is too large")
        }
        return Int(bytes)
    }

    public var description: String {
        bytesByDevice.isEmpty ? "unlimited"
            : bytesByDevice.sorted { $0.key < $1.key }.map { "\($0.key)=\(ByteCount($0.value))" }.joined(separator: ",")
    }
}

/// A byte count printed for people: "1.50 GiB", "312.0 MiB", "900 B".
public struct ByteCount: Sendable, CustomStringConvertible {
    public var bytes: Int

    public init(_ bytes: Int) { self.bytes = bytes }

    public var description: String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            let rounded = (value * 100).rounded() / 100
            return "\(rounded) \(name)"
        }
        return "\(bytes) B"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
