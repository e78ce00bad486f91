/// The `k` highest scores (classification heads).
public enum TopK {
    /// Up to `k` `(index, score)` pairs, highest score first; equal scores keep the lower index first.
    /// NaN scores are never selected.
    public static func select(_ scores: [Float], k: Int) -> [(index: Int, score: Float)] {
        guard k > 0 else { return [] }
        let ranked = scores.indices.filter { !scores[$0].isNaN }.sorted {
            scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1
        }
        return ranked.prefix(k).map { (index: $0, score: scores[$0]) }
    }
}
