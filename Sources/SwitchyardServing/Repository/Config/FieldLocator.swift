import SwiftProtobuf

/// Finds, by decoding single fields of a text-format config on their own, which fields are
/// unknown and which field holds the first bad value — what swift-protobuf's decoder does not
/// say. Each probe wraps one field in its ancestors (`a { b { field } }`) and decodes that.
struct FieldLocator {
    struct Located {
        var entry: TextFormatOutline.Entry
        /// Dotted field path (`dynamic_batching.default_queue_policy.timeout_action`).
        var path: String
        var error: any Error
    }

    let outline: TextFormatOutline

    /// Every unknown field, outermost only (nothing is reported inside an unknown field).
    ///
    /// A field's *name* is probed as `name: 0`: the decoder throws `unknownField` on reading an
    /// unknown name, before any value; a known field of any type reads `0` (numbers, enums,
    /// bools) or fails otherwise (`malformedText` for strings and messages). Inside a map entry
    /// a missing key or value is reported only at its end, after the probed name.
    func unknownFields() -> [Located] {
        var found: [Located] = []
        collectUnknown(outline.entries, ancestors: [], into: &found)
        return found
    }

    private func collectUnknown(_ entries: [TextFormatOutline.Entry], ancestors: [String], into found: inout [Located]) {
        for entry in entries {
            if let error = failure(wrap("\(entry.name): 0", in: ancestors)),
               (error as? TextFormatDecodingError) == .unknownField {
                found.append(Located(entry: entry, path: path(ancestors, entry), error: error))
                continue
            }
            for children in entry.childGroups {
                collectUnknown(children, ancestors: ancestors + [entry.name], into: &found)
            }
        }
    }

    /// The innermost field where decoding first fails once the `removed` (unknown) fields are
    /// cut out, or nil when every field decodes.
    ///
    /// At each level the fields are decoded as growing prefixes; the field whose addition makes
    /// the prefix fail is blamed, or the one of its own fields that fails on its own. A field
    /// that fails only beside a sibling (two members of one oneof) is blamed itself. Map entries
    /// (`key`/`value` fields) are decoded whole: either half alone is rejected.
    func firstBadValue(removing removed: [TextFormatOutline.Entry]) -> Located? {
        let cleaned = Array(outline.text(removing: removed).utf8)
        return firstBadValue(in: outline.entries, ancestors: [], text: cleaned)
    }

    private func firstBadValue(in entries: [TextFormatOutline.Entry], ancestors: [String], text: [UInt8]) -> Located? {
        var prefix = ""
        for entry in entries {
            prefix += String(decoding: text[entry.start..<entry.end], as: UTF8.self) + "\n"
            guard let error = failure(wrap(prefix, in: ancestors)) else { continue }
            // Look inside only a field that is a message (`name {}` decodes); a scalar written
            // as `name { … }` is itself the bad value.
            if !entry.isMapEntry, !entry.childGroups.isEmpty, failure(wrap("\(entry.name) {}", in: ancestors)) == nil {
                for children in entry.childGroups {
                    if let inner = firstBadValue(in: children, ancestors: ancestors + [entry.name], text: text) { return inner }
                }
            }
            return Located(entry: entry, path: path(ancestors, entry), error: error)
        }
        return nil
    }

    private func path(_ ancestors: [String], _ entry: TextFormatOutline.Entry) -> String {
        (ancestors + [entry.name]).joined(separator: ".")
    }

    private func wrap(_ text: String, in ancestors: [String]) -> String {
        ancestors.reversed().reduce(text) { inner, name in "\(name) {\n\(inner)\n}" }
    }

    private func failure(_ text: String) -> (any Error)? {
        do {
            _ = try ModelConfigParser.decode(text)
            return nil
        } catch {
            return error
        }
    }
}

extension TextFormatOutline.Entry {
    /// The field lists nested in this field: one for a message, one per element of a list.
    var childGroups: [[TextFormatOutline.Entry]] {
        switch value {
        case .leaf: []
        case .message(let children): [children]
        case .messageList(let elements): elements
        }
    }

    /// `{ key: … value: … }`, the text form of a map entry.
    var isMapEntry: Bool {
        guard case .message(let children) = value else { return false }
        return children.contains { $0.name == "key" } && children.allSatisfy { $0.name == "key" || $0.name == "value" }
    }
}
