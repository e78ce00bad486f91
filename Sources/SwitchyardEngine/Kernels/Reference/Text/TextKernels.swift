extension ReferenceKernels {
    /// The string operators and the n-gram vectorizer.
    static let text: [String: ReferenceKernel] = [
        "StringConcat": { try StringConcatKernel.run($0) },
        "StringSplit": { try StringSplitKernel.run($0) },
        "StringNormalizer": { try StringNormalizerKernel.run($0) },
        "RegexFullMatch": { try RegexFullMatchKernel.run($0) },
        "TfIdfVectorizer": { try TfIdfVectorizerKernel.run($0) },
    ]
}
