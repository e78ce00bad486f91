import Foundation
import SwitchyardTensor

/// RegexFullMatch (opset 20): for each string of `X`, whether the whole string matches
/// `pattern`. ONNX specifies RE2 syntax; ICU's (NSRegularExpression) is a superset of the
/// common subset models use. The pattern is wrapped in `\A(?:…)\z` so alternatives are tried
/// until the entire string matches, as a full match requires.
enum RegexFullMatchKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        guard x.dataType == .string else {
            throw KernelError.invalidArgument("\(op): X must be a string tensor, got \(x.dataType)")
        }
        guard let pattern = try context.string("pattern") else {
            throw KernelError.invalidArgument("\(op): the pattern attribute is required")
        }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: "\\A(?:\(pattern))\\z")
        } catch {
            throw KernelError.invalidArgument("\(op): pattern '\(pattern)' is not a valid regular expression")
        }
        let matches = x.strings.map { text in
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        return [Tensor(shape: x.shape, scalars: matches)]
    }
}
