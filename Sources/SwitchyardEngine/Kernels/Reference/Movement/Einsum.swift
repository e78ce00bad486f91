import SwitchyardTensor

extension IndexingOps {
    /// Einsum: sums of products over the index labels of `equation` (NumPy semantics): an
    /// explicit or implicit (`->`-less) output, repeated labels within one operand taking
    /// diagonals, and `...` broadcasting. Computed in Double for floats, Int64 for integers.
    static func einsum(_ context: OpContext) throws(KernelError) -> [Tensor] {
        guard let equation = try context.string("equation") else {
            throw .invalidArgument("Einsum: attribute 'equation' is missing")
        }
        let operands = context.inputs.compactMap { $0 }
        guard let first = operands.first else { throw .invalidArgument("Einsum needs at least one input") }
        guard operands.allSatisfy({ $0.dataType == first.dataType }) else {
            throw .invalidArgument("Einsum: inputs mix data types \(operands.map(\.dataType))")
        }
        let plan = try EinsumPlan(equation: equation, shapes: operands.map(\.shape))
        let arrays = try operands.map { (operand) throws(KernelError) in try NumericArray(operand, op: "Einsum") }
        let result: NumericArray
        switch arrays[0] {
        case .real: result = .real(plan.evaluate(arrays.map { if case .real(let v) = $0 { v } else { [] } }))
        case .signed: result = .signed(plan.evaluate(arrays.map { if case .signed(let v) = $0 { v } else { [] } }))
        case .unsigned: result = .unsigned(plan.evaluate(arrays.map { if case .unsigned(let v) = $0 { v } else { [] } }))
        }
        return [result.tensor(first.dataType, shape: plan.outputShape)]
    }
}

/// A parsed Einsum equation bound to operand shapes. Labels are letters (their Unicode value)
/// or, for the dimensions `...` covers, negative numbers right-aligned across operands.
struct EinsumPlan {
    let outputShape: [Int]
    /// Loop labels' sizes: output labels first, then the summed ones.
    private let loopSizes: [Int]
    private let outputCount: Int
    /// Per operand, its element stride for each loop label (0 when the label is absent or broadcast).
    private let operandStrides: [[Int]]

    init(equation rawEquation: String, shapes: [[Int]]) throws(KernelError) {
        let equation = rawEquation.filter { !$0.isWhitespace }
        let sides = equation.components(separatedBy: "->")
        guard sides.count <= 2 else { throw .invalidArgument("Einsum: equation '\(rawEquation)' has more than one '->'") }
        let terms = sides[0].components(separatedBy: ",")
        guard terms.count == shapes.count else {
            throw .invalidArgument("Einsum: equation '\(rawEquation)' has \(terms.count) operand terms for \(shapes.count) inputs")
        }
        let parsed = try terms.map { (term) throws(KernelError) in try Self.parse(term, equation: rawEquation) }
        // Dimensions `...` stands for, per operand.
        var ellipsisRanks: [Int] = []
        for (index, (letters, hasEllipsis)) in parsed.enumerated() {
            let rank = shapes[index].count
            let named = letters.filter { $0 != 0 }.count
            guard hasEllipsis ? rank >= named : rank == named else {
                throw .invalidArgument("Einsum: term '\(terms[index])' does not match input \(index) of rank \(rank)")
            }
            ellipsisRanks.append(hasEllipsis ? rank - named : 0)
        }
        let ellipsisRank = ellipsisRanks.max() ?? 0
        var sizes: [Int: Int] = [:]
        var operandLabels: [[Int]] = []
        var occurrences: [Int: Int] = [:]
        for (index, (letters, _)) in parsed.enumerated() {
            let ellipsisLabels = (0..<ellipsisRanks[index]).map { -(ellipsisRank - ellipsisRanks[index] + $0) - 1 }
            var labels: [Int] = []
            for letter in letters {
                if letter == 0 { labels += ellipsisLabels } else { labels.append(letter) }
            }
            for (axis, label) in labels.enumerated() {
                let size = shapes[index][axis]
                if label > 0 { occurrences[label, default: 0] += 1 }
                if let known = sizes[label], known != size {
                    guard label < 0, known == 1 || size == 1 else {
                        throw .invalidArgument("Einsum: label sizes disagree (\(known) and \(size)) in input \(index) of '\(rawEquation)'")
                    }
                    sizes[label] = max(known, size)
                } else if sizes[label] == nil {
                    sizes[label] = size
                }
            }
            operandLabels.append(labels)
        }
        let allEllipsis = (0..<ellipsisRank).map { -$0 - 1 }
        var outputLabels: [Int] = []
        if sides.count == 2 {
            let (letters, _) = try Self.parse(sides[1], equation: rawEquation)
            for letter in letters {
                if letter == 0 { outputLabels += allEllipsis; continue }
                guard sizes[letter] != nil, !outputLabels.contains(letter) else {
                    throw .invalidArgument("Einsum: output label '\(Character(Unicode.Scalar(UInt32(letter))!))' is repeated or absent from the inputs of '\(rawEquation)'")
                }
                outputLabels.append(letter)
            }
        } else {
            outputLabels = allEllipsis + occurrences.filter { $0.value == 1 }.keys.sorted()
        }
        let summed = sizes.keys.filter { !outputLabels.contains($0) }.sorted()
        let loopLabels = outputLabels + summed
        outputShape = outputLabels.map { sizes[$0]! }
        outputCount = outputShape.reduce(1, *)
        loopSizes = loopLabels.map { sizes[$0]! }
        operandStrides = operandLabels.enumerated().map { index, labels in
            let strides = ShapeMath.strides(shapes[index])
            return loopLabels.map { label in
                labels.indices.reduce(0) { total, axis in
                    labels[axis] == label && shapes[index][axis] != 1 ? total + strides[axis] : total
                }
            }
        }
    }

    /// Letters of one term as Unicode values, with 0 where `...` stands; and whether it has one.
    private static func parse(_ term: String, equation: String) throws(KernelError) -> ([Int], Bool) {
        var letters: [Int] = []
        var hasEllipsis = false
        var rest = Substring(term)
        while let character = rest.first {
            if rest.hasPrefix("...") {
                guard !hasEllipsis else { throw .invalidArgument("Einsum: term '\(term)' of '\(equation)' has two ellipses") }
                hasEllipsis = true
                letters.append(0)
                rest = rest.dropFirst(3)
                continue
            }
            guard character.isASCII, character.isLetter, let value = character.unicodeScalars.first?.value else {
                throw .invalidArgument("Einsum: '\(character)' in '\(equation)' is not a letter or '...'")
            }
            letters.append(Int(value))
            rest = rest.dropFirst()
        }
        return (letters, hasEllipsis)
    }

    /// The output values: for each output coordinate, the sum over the summed labels of the
    /// product of the operands' elements. The innermost loop label runs as a tight strided loop.
    func evaluate<T: IndexingArithmetic>(_ operands: [[T]]) -> [T] {
        var output = [T](repeating: T.zero, count: outputCount)
        let total = loopSizes.reduce(1, *)
        guard total > 0 else { return output }
        guard let innerSize = loopSizes.last else {
            output[0] = operands.reduce(T.one) { T.times($0, $1[0]) }
            return output
        }
        let outerLabels = loopSizes.count - 1
        let innerStrides = operandStrides.map { $0[outerLabels] }
        // Output elements per outer step: the whole inner run when the inner label is an
        // output label (no summed labels at all), else the run sums into one element.
        let innerIsOutput = total == outputCount
        let summedPerOutput = total / max(outputCount, 1)
        var coordinate = [Int](repeating: 0, count: outerLabels)
        var offsets = [Int](repeating: 0, count: operands.count)
        var step = 0
        while step < total {
            if innerIsOutput {
                for k in 0..<innerSize {
                    var product = T.one
                    for index in operands.indices {
                        product = T.times(product, operands[index][offsets[index] + k * innerStrides[index]])
                    }
                    output[step + k] = product
                }
            } else {
                var sum = T.zero
                for k in 0..<innerSize {
                    var product = T.one
                    for index in operands.indices {
                        product = T.times(product, operands[index][offsets[index] + k * innerStrides[index]])
                    }
                    sum = T.plus(sum, product)
                }
                let target = step / summedPerOutput
                output[target] = T.plus(output[target], sum)
            }
            step += innerSize
            var axis = outerLabels - 1
            while axis >= 0 {
                coordinate[axis] += 1
                for index in operands.indices { offsets[index] += operandStrides[index][axis] }
                if coordinate[axis] < loopSizes[axis] { break }
                for index in operands.indices { offsets[index] -= operandStrides[index][axis] * coordinate[axis] }
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return output
    }
}
