import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct TextTests {
    typealias K = QuantizationTestKit

    static let words = ["alpha", "Beta", "gamma", "délta", "EPSILON", "zeta", "eta", "théta"]

    static func randomStrings(_ count: Int, using rng: inout K.Generator) -> [String] {
        (0..<count).map { _ in
            (0..<Int.random(in: 1...3, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")
        }
    }

    @Test func stringConcatBroadcasts() throws {
        var rng = K.Generator(seed: 51)
        let x = Tensor(shape: [2, 3], strings: Self.randomStrings(6, using: &rng))
        let y = Tensor(shape: [3], strings: Self.randomStrings(3, using: &rng))
        let z = try K.run("StringConcat", opset: 20, inputs: [x, y])[0]
        #expect(z.shape == [2, 3])
        #expect(z.strings == (0..<6).map { x.strings[$0] + y.strings[$0 % 3] })
    }

    @Test func stringSplitWithDelimiterAndMaxsplit() throws {
        let x = Tensor(shape: [4], strings: ["a,,b,c", "", "héllo", ",x,"])
        let outputs = try K.run("StringSplit", opset: 20, inputs: [x], attributes: ["delimiter": .string(","), "maxsplit": .int(2)],
                                outputs: ["Y", "Z"])
        let expected = x.strings.map { Self.pythonSplit($0, ",", 2) }
        let longest = expected.map(\.count).max()!
        #expect(outputs[0].shape == [4, longest])
        #expect(outputs[0].strings == expected.flatMap { $0 + Array(repeating: "", count: longest - $0.count) })
        #expect(outputs[1].scalars(as: Int64.self) == expected.map { Int64($0.count) })
    }

    /// Python's `s.split(sep, maxsplit)` for a non-empty `sep`, by repeated search.
    static func pythonSplit(_ s: String, _ sep: String, _ maxSplit: Int) -> [String] {
        var rest = Substring(s), parts: [String] = []
        while parts.count < maxSplit, let range = rest.range(of: sep) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        return parts + [String(rest)]
    }

    @Test func stringSplitOnWhitespace() throws {
        let x = Tensor(shape: [2, 2], strings: ["  one two\tthree ", "", "single", " a  b  c "])
        let outputs = try K.run("StringSplit", opset: 20, inputs: [x], outputs: ["Y", "Z"])
        let expected = x.strings.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        #expect(outputs[0].shape == [2, 2, 3])
        #expect(outputs[1].scalars(as: Int64.self) == expected.map { Int64($0.count) })
        #expect(outputs[0].strings == expected.flatMap { $0 + Array(repeating: "", count: 3 - $0.count) })
        let limited = try K.run("StringSplit", opset: 20, inputs: [Tensor(shape: [1], strings: ["  a b  c "])],
                                attributes: ["maxsplit": .int(1)], outputs: ["Y", "Z"])
        #expect(limited[0].strings == ["a", "b  c "])
    }

    @Test func regexFullMatchNeedsTheWholeString() throws {
        var rng = K.Generator(seed: 53)
        let strings = Self.randomStrings(12, using: &rng) + ["ab", "a"]
        let pattern = "a|ab|[a-z]+( [a-z]+)*"
        let y = try K.run("RegexFullMatch", opset: 20, inputs: [Tensor(shape: [14], strings: strings)],
                          attributes: ["pattern": .string(pattern)])[0]
        let expected = strings.map { $0.wholeMatch(of: try! Regex(pattern)) != nil }
        #expect(y.scalars(as: Bool.self) == expected)
        K.expectInvalid("not a valid regular expression") {
            try K.run("RegexFullMatch", opset: 20, inputs: [Tensor(shape: [1], strings: ["x"])], attributes: ["pattern": .string("(unclosed")])
        }
    }

    @Test func stringNormalizerStopwordsCaseAndAccents() throws {
        let x = Tensor(shape: [1, 5], strings: ["Monday", "tuesday", "Café", "monday", "and Wednesday"])
        let lower = try K.run("StringNormalizer", opset: 10, inputs: [x], attributes: [
            "case_change_action": .string("LOWER"), "is_case_sensitive": .int(0), "stopwords": .strings(["monday", "AND"]),
        ])[0]
        #expect(lower.shape == [1, 3])
        #expect(lower.strings == ["tuesday", "cafe", "wednesday"])
        let sensitive = try K.run("StringNormalizer", opset: 10, inputs: [x.reshaped([5])], attributes: [
            "case_change_action": .string("UPPER"), "is_case_sensitive": .int(1), "stopwords": .strings(["monday"]),
        ])[0]
        #expect(sensitive.strings == ["MONDAY", "TUESDAY", "CAFE", "AND WEDNESDAY"])
        let emptied = try K.run("StringNormalizer", opset: 10, inputs: [Tensor(shape: [2], strings: ["x", "x"])],
                                attributes: ["stopwords": .strings(["x"]), "is_case_sensitive": .int(1)])[0]
        #expect(emptied.shape == [1])
        #expect(emptied.strings == [""])
    }

    @Test(arguments: ["TF", "IDF", "TFIDF"])
    func tfIdfCountsSkipGrams(mode: String) throws {
        var rng = K.Generator(seed: 55)
        let (rows, width) = (3, 12)
        let x = K.integers(.int64, [rows, width], in: 1...4, using: &rng)
        // Unigrams 1, 3 and bigrams (2,3), (4,1), (1,1).
        let pool = [1, 3, 2, 3, 4, 1, 1, 1]
        let indexes = [4, 0, 1, 3, 2]
        let weights: [Float] = [0.5, 1.5, 2.5, 3.5, 4.5]
        let y = try K.run("TfIdfVectorizer", opset: 9, inputs: [x], attributes: [
            "mode": .string(mode), "min_gram_length": .int(1), "max_gram_length": .int(2), "max_skip_count": .int(2),
            "ngram_counts": .ints([0, 2]), "ngram_indexes": .ints(indexes), "pool_int64s": .ints(pool), "weights": .floats(weights),
        ])[0]
        let grams: [[Int64]] = [[1], [3], [2, 3], [4, 1], [1, 1]]
        let xs = x.int64s()
        var expected = [Double](repeating: 0, count: rows * 5)
        for r in 0..<rows {
            let row = Array(xs[(r * width)..<((r + 1) * width)])
            for (g, gram) in grams.enumerated() {
                var count = 0
                if gram.count == 1 {
                    count = row.filter { $0 == gram[0] }.count
                } else {
                    for skip in 0...2 {
                        for i in row.indices where i + skip + 1 < width && row[i] == gram[0] && row[i + skip + 1] == gram[1] { count += 1 }
                    }
                }
                let column = indexes[g]
                let value: Double = switch mode {
                case "TF": Double(count)
                case "IDF": count > 0 ? Double(weights[column]) : 0
                default: Double(weights[column]) * Double(count)
                }
                expected[r * 5 + column] = value
            }
        }
        #expect(y.shape == [rows, 5])
        #expect(y.doubles() == expected)
    }

    @Test func invalidTextInputs() {
        K.expectInvalid("must be string tensors") {
            try K.run("StringConcat", opset: 20, inputs: [Tensor(shape: [1], strings: ["a"]), Tensor(shape: [1], scalars: [Float(1)])])
        }
        K.expectInvalid("case_change_action 'SHOUT'") {
            try K.run("StringNormalizer", opset: 10, inputs: [Tensor(shape: [1], strings: ["a"])], attributes: ["case_change_action": .string("SHOUT")])
        }
        K.expectInvalid("mode 'BM25'") {
            try K.run("TfIdfVectorizer", opset: 9, inputs: [Tensor(shape: [1], scalars: [Int64(1)])], attributes: ["mode": .string("BM25")])
        }
        K.expectInvalid("maxsplit -1") {
            try K.run("StringSplit", opset: 20, inputs: [Tensor(shape: [1], strings: ["a"])], attributes: ["maxsplit": .int(-1)])
        }
    }
}
