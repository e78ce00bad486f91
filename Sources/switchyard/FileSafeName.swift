/// Turns ONNX value names (`output/0:1`) into file names: every character outside
/// `[A-Za-z0-9._-]` becomes `_`, and names that would collide get a numeric suffix.
enum FileSafeName {
    /// `name` with unsafe characters replaced. Never empty, `.` or `..`.
    static func make(_ name: String) -> String {
        let safe = String(name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": Character(scalar)
            default: "_"
            }
        })
        if safe.isEmpty || safe.allSatisfy({ $0 == "." }) { return "_" + safe }
        return safe
    }

    /// A distinct file-safe name for each of `names`, in order. A name whose safe form is
    /// taken gets `_2`, `_3`, … (`a/b` and `a:b` become `a_b` and `a_b_2`).
    static func unique(_ names: [String]) -> [String] {
        var taken = Set<String>()
        var result: [String] = []
        for name in names {
            let base = make(name)
            var candidate = base
            var suffix = 2
            while taken.contains(candidate) {
                candidate = "\(base)_\(suffix)"
                suffix += 1
            }
            taken.insert(candidate)
            result.append(candidate)
        }
        return result
    }
}
