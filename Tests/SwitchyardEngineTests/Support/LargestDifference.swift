import SwitchyardTensor

/// Largest |a − b| over the elements of two numeric tensors (as `Double`). A NaN on one side
/// only counts as an infinite difference, NaN on both as none: `reduce` with Swift's `max`
/// keeps its first argument when the second is NaN, so it would let a NaN output pass.
func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
    var largest = 0.0
    for (x, y) in zip(a.doubles(), b.doubles()) where !(x.isNaN && y.isNaN) {
        let difference = abs(x - y)
        largest = difference.isNaN ? .infinity : max(largest, difference)
        if largest == .infinity { break }
    }
    return Float(largest)
}
