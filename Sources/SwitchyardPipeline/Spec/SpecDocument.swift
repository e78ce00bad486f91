import Yams

/// A spec's YAML node tree and file name, to point errors at the line they are about:
/// `ocr.yaml:14:5: stage 'rec': …`.
struct SpecDocument {
    /// Part of a path into the document: a mapping key or a sequence index.
    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    let file: String
    let root: Node

    /// "file:line:column" of the node at `path`, or of its deepest existing ancestor.
    func location(_ path: [Step]) -> String {
        var node = root
        for step in path {
            let next: Node? = switch step {
            case .key(let key): node.mapping?[key]
            case .index(let index): node.sequence.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
            guard let next else { break }
            node = next
        }
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }

    /// "file:line:column" of stage `index`'s field `field` (the stage itself when nil).
    func location(stage index: Int, field: String? = nil) -> String {
        location([.key("stages"), .index(index)] + (field.map { [.key($0)] } ?? []))
    }

    /// The keys of the mapping at `path`, with their locations, in document order.
    func keys(at path: [Step]) -> [(key: String, location: String)] {
        var node = root
        for step in path {
            let next: Node? = switch step {
            case .key(let key): node.mapping?[key]
            case .index(let index): node.sequence.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
            guard let next else { return [] }
            node = next
        }
        guard let mapping = node.mapping else { return [] }
        return mapping.keys.compactMap { key in
            guard let name = key.string else { return nil }
            return (name, key.mark.map { "\(file):\($0.line):\($0.column)" } ?? file)
        }
    }

    /// The path of a `DecodingError`'s coding path.
    static func steps(_ codingPath: [any CodingKey]) -> [Step] {
        codingPath.map { key in key.intValue.map { .index($0) } ?? .key(key.stringValue) }
    }
}
