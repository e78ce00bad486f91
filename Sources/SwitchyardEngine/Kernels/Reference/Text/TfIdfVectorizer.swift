import SwitchyardTensor

/// TfIdfVectorizer (opset 9): counts, per row of `X` (`[C]` or `[B, C]`, int32/int64/string),
/// the occurrences of the n-grams listed in the pool, including skip-grams whose items are
/// `skip + 1` apart for every skip up to `max_skip_count` (unigrams counted once), and weights
/// them by `mode` (TF counts, IDF `weights` or 1 where present, TFIDF `weights` × count).
/// Output: float32 `[B, output_size]` (or `[output_size]`), `output_size = max(ngram_indexes) + 1`.
enum TfIdfVectorizerKernel {
    enum Key: Hashable {
        case integer(Int64)
        case text(String)
    }

    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0)
        let vocabulary = try Vocabulary(context)
        let keys: [Key]
        switch x.dataType {
        case .int32, .int64: keys = x.int64s().map(Key.integer)
        case .string: keys = x.strings.map(Key.text)
        default: throw KernelError.invalidArgument("\(op): X must be int32, int64 or string, got \(x.dataType)")
        }
        guard x.rank <= 2 else {
            throw KernelError.invalidArgument("\(op): X must have shape [C] or [B, C], got \(x.shape)")
        }
        let rows = x.rank == 2 ? x.shape[0] : 1
        let width = x.rank == 0 ? 1 : x.shape[x.rank - 1]
        let size = vocabulary.outputSize
        var counts = [Int](repeating: 0, count: rows * size)
        for row in 0..<rows where width > 0 {
            let items = Array(keys[(row * width)..<((row + 1) * width)])
            for column in vocabulary.matches(in: items) { counts[row * size + column] += 1 }
        }
        let weights = vocabulary.weights
        let values: [Float] = counts.enumerated().map { index, count in
            let weight = weights.isEmpty ? 1 : weights[index % size]
            switch vocabulary.mode {
            case .tf: return Float(count)
            case .idf: return count > 0 ? weight : 0
            case .tfidf: return weight * Float(count)
            }
        }
        return [Tensor(shape: x.rank == 2 ? [rows, size] : [size], scalars: values)]
    }

    /// The n-gram pool of a TfIdfVectorizer node, keyed by item sequence, with the output
    /// column of each n-gram whose length is within `[min_gram_length, max_gram_length]`.
    struct Vocabulary {
        enum Mode: String { case tf = "TF", idf = "IDF", tfidf = "TFIDF" }

        var mode: Mode
        var minLength: Int
        var maxLength: Int
        var maxSkip: Int
        var columns: [[Key]: Int] = [:]
        var outputSize: Int
        var weights: [Float]

        init(_ context: OpContext) throws(KernelError) {
            let op = context.node.opType
            let modeText = try context.string("mode") ?? ""
            guard let mode = Mode(rawValue: modeText) else {
                throw .invalidArgument("\(op): mode '\(modeText)' is not TF, IDF or TFIDF")
            }
            self.mode = mode
            minLength = try context.int("min_gram_length") ?? 0
            maxLength = try context.int("max_gram_length") ?? 0
            maxSkip = try context.int("max_skip_count") ?? 0
            guard minLength >= 1, maxLength >= minLength, maxSkip >= 0 else {
                throw .invalidArgument("\(op): need 1 ≤ min_gram_length (\(minLength)) ≤ max_gram_length (\(maxLength)) and max_skip_count (\(maxSkip)) ≥ 0")
            }
            let pool: [Key]
            if let integers = try context.ints("pool_int64s") {
                pool = integers.map { .integer(Int64($0)) }
            } else if let strings = try context.strings("pool_strings") {
                pool = strings.map(Key.text)
            } else {
                throw .invalidArgument("\(op): one of pool_int64s or pool_strings is required")
            }
            let starts = try context.ints("ngram_counts") ?? []
            let indexes = try context.ints("ngram_indexes") ?? []
            guard let largest = indexes.max(), indexes.allSatisfy({ $0 >= 0 }) else {
                throw .invalidArgument("\(op): ngram_indexes must be a non-empty list of non-negative columns")
            }
            outputSize = largest + 1
            weights = try context.floats("weights") ?? []
            guard weights.isEmpty || weights.count >= outputSize else {
                throw .invalidArgument("\(op): weights has \(weights.count) values, fewer than the \(outputSize) output columns")
            }
            // ngram_counts[i] is where the (i + 1)-grams start in the pool; ids run over all of them.
            var id = 0
            for (sizeIndex, start) in starts.enumerated() {
                let length = sizeIndex + 1
                let end = sizeIndex + 1 < starts.count ? starts[sizeIndex + 1] : pool.count
                guard start >= 0, start <= end, end <= pool.count else {
                    throw .invalidArgument("\(op): ngram_counts \(starts) do not describe ranges of the \(pool.count)-item pool")
                }
                for gramStart in stride(from: start, to: end - length + 1, by: length) {
                    defer { id += 1 }
                    guard length >= minLength && length <= maxLength else { continue }
                    guard id < indexes.count else {
                        throw .invalidArgument("\(op): ngram_indexes has \(indexes.count) entries but the pool holds more n-grams")
                    }
                    // A repeated n-gram takes its last column, as in ONNX's reference.
                    columns[Array(pool[gramStart..<(gramStart + length)])] = indexes[id]
                }
            }
        }

        /// The output column of every pool n-gram occurrence in `items`, once per occurrence.
        func matches(in items: [Key]) -> [Int] {
            var found: [Int] = []
            var shortest = minLength
            for distance in 1...(maxSkip + 1) {
                for start in items.indices {
                    var gram: [Key] = []
                    var position = start
                    while gram.count < maxLength && position < items.count {
                        gram.append(items[position])
                        if gram.count >= shortest, let column = columns[gram] { found.append(column) }
                        position += distance
                    }
                }
                // Unigrams do not depend on the skip distance: count them once.
                if shortest == 1 {
                    shortest = 2
                    if shortest > maxLength { break }
                }
            }
            return found
        }
    }
}
