import Foundation
import SwiftProtobuf

/// A field of config.pbtxt that Switchyard does not model (Triton's `sequence_batching`,
/// `model_warmup`, `optimization`, …, or a typo). It is skipped; the rest of the file applies.
public struct ModelConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file as named in messages (`cls/config.pbtxt`).
    public var file: String
    /// Where the field first appears (1-based).
    public var line: Int
    /// Its dotted path (`dynamic_batching.max_queue_size`).
    public var field: String

    public init(file: String, line: Int, field: String) {
        self.file = file
        self.line = line
        self.field = field
    }

    public var description: String {
        "\(file):\(line): unknown field '\(field)' ignored (Switchyard does not use it; check the spelling if you meant a field it does)"
    }
}

/// A config.pbtxt as read: the decoded message, the unknown fields it skipped, and which
/// top-level fields the file wrote (proto3 cannot tell `max_batch_size: 0` from no
/// `max_batch_size`; completion needs to).
public struct ParsedModelConfig: Sendable {
    public var config: Inference_ModelConfig
    public var warnings: [ModelConfigWarning]
    /// Top-level field names as written (`max_batch_size`, `input`, …).
    public var writtenFields: Set<String>

    public init(config: Inference_ModelConfig, warnings: [ModelConfigWarning] = [], writtenFields: Set<String> = []) {
        self.config = config
        self.warnings = warnings
        self.writtenFields = writtenFields
    }
}

/// Reads Triton's config.pbtxt (protobuf text format) into `Inference_ModelConfig`.
public enum ModelConfigParser {
    /// Parses `text`. `file` names the file in warnings and errors (`cls/config.pbtxt`).
    ///
    /// Unknown fields give one `ModelConfigWarning` each (per dotted path, at its first line)
    /// and are skipped. Malformed text and bad values throw `ServingError.invalidArgument`
    /// naming the file, the line and, for values, the field.
    public static func parse(_ text: String, file: String) throws(ServingError) -> ParsedModelConfig {
        // Editors on Windows may start the file with a byte-order mark; the decoder does not skip it.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let outline: TextFormatOutline
        do {
            outline = try TextFormatOutline(parsing: text)
        } catch {
            let line = TextFormatOutline.line(at: error.offset, in: text.utf8)
            throw .invalidArgument("\(file):\(line): syntax error: \(error.message)")
        }
        let written = Set(outline.entries.map(\.name))
        if let config = try? decode(text) {
            return ParsedModelConfig(config: config, writtenFields: written)
        }
        let locator = FieldLocator(outline: outline)
        let unknown = locator.unknownFields()
        var warnings: [ModelConfigWarning] = []
        var seen: Set<String> = []
        for field in unknown where seen.insert(field.path).inserted {
            warnings.append(ModelConfigWarning(file: file, line: outline.line(at: field.entry.start), field: field.path))
        }
        // The unknown fields are cut out rather than skipped by `ignoreUnknownFields`:
        // swift-protobuf cannot skip an unknown `name [ { … } ]` (no colon), Triton's usual form.
        do {
            let config = try decode(outline.text(removing: unknown.map(\.entry)))
            return ParsedModelConfig(config: config, warnings: warnings, writtenFields: written)
        } catch {
            guard let located = locator.firstBadValue(removing: unknown.map(\.entry)) else {
                throw .invalidArgument("\(file): \(explain(error))")
            }
            let line = outline.line(at: located.entry.start)
            throw .invalidArgument(
                "\(file):\(line): field '\(located.path)': \(explain(located.error)) in `\(excerpt(outline.source(of: located.entry)))`")
        }
    }

    /// Strict decoding: an unknown field is an error (`unknownField`).
    static func decode(_ text: String) throws -> Inference_ModelConfig {
        try Inference_ModelConfig(textFormatString: text, options: TextFormatDecodingOptions())
    }

    private static func explain(_ error: any Error) -> String {
        guard let error = error as? TextFormatDecodingError else { return "cannot be decoded (\(error))" }
        switch error {
        case .malformedText: return "malformed value (wrong type for this field, or bad syntax)"
        case .malformedNumber: return "not a valid number for this field (wrong type or out of range)"
        case .trailingGarbage: return "unexpected text after the value"
        case .truncated: return "the value is cut short"
        case .invalidUTF8: return "a string is not valid UTF-8"
        case .schemaMismatch: return "the value does not fit the field's type"
        case .unrecognizedEnumValue: return "unknown enum value"
        case .conflictingOneOf:
            return "conflicts with another field of the same group (only one of dynamic_batching/ensemble_scheduling, or of latest/all/specific, may be set)"
        case .messageDepthLimit: return "messages nested too deeply"
        case .unknownField: return "malformed value (the decoder read part of it as another field)"
        default: return "cannot be decoded (\(error))"
        }
    }

    /// The first line of a field's text, shortened for a message.
    private static func excerpt(_ source: String) -> String {
        let firstLine = source.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? source
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        let short = trimmed.count > 60 ? String(trimmed.prefix(57)) + "..." : trimmed
        return firstLine.count < source.count ? short + " …" : short
    }
}
