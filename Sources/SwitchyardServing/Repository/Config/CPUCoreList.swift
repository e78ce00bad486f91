/// A list of CPU core ids as written in Linux cpusets and the `cpu_cores` model parameter:
/// comma-separated ids and inclusive ranges, `"0-1"`, `"0,2-3"`.
public enum CPUCoreList {
    /// The sorted, unique core ids of `text`. Spaces around items are allowed; empty items,
    /// negative or non-numeric ids and backwards ranges (`"3-1"`) are errors.
    public static func parse(_ text: String) throws(ServingError) -> [Int] {
        var cores: Set<Int> = []
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            let trimmed = item.trimmingSpaces
            guard !trimmed.isEmpty else {
                throw .invalidArgument("'\(text)' has an empty item (write ids and ranges like \"0,2-3\")")
            }
            let bounds = trimmed.split(separator: "-", omittingEmptySubsequences: false).map(\.trimmingSpaces)
            guard bounds.count <= 2, let low = coreID(bounds[0]), let high = bounds.count == 2 ? coreID(bounds[1]) : low else {
                throw .invalidArgument("'\(trimmed)' in '\(text)' is not a core id or a range of them (write ids and ranges like \"0,2-3\")")
            }
            guard low <= high else {
                throw .invalidArgument("range '\(trimmed)' in '\(text)' runs backwards (write \(high)-\(low))")
            }
            cores.formUnion(low...high)
        }
        return cores.sorted()
    }

    /// Highest core id accepted; guards `0-999999999` from allocating a huge set.
    public static let maximumCoreID = 4095

    private static func coreID(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int(text),
              value <= maximumCoreID else { return nil }
        return value
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
