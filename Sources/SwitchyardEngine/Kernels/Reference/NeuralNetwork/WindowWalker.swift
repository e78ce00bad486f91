/// Maps positions of one spatial grid onto another through a kernel tap: grid position `g` and
/// tap `t` reach target coordinate `g · stride − padBegin + t · dilation` on every axis.
///
/// For a forward window (Conv, pooling) the grid is the output and the target the input; for
/// ConvTranspose the grid is the input and the target the output. Im2col, col2im, depthwise
/// convolution and pooling all walk the grid tap by tap in runs along the last axis, so their
/// inner loops touch consecutive grid elements.
struct WindowWalker {
    let grid: [Int]
    let target: [Int]
    let strides: [Int]
    let dilations: [Int]
    let padsBegin: [Int]

    var rank: Int { grid.count }
    var gridCount: Int { grid.reduce(1, *) }
    var targetCount: Int { target.reduce(1, *) }

    /// One run of consecutive grid positions along the last axis.
    struct Run {
        /// Linear index of the run's first grid position.
        var gridStart: Int
        /// Grid positions in the run.
        var count: Int
        /// The positions `valid` (relative to `gridStart`) reach the target; the rest fall in
        /// padding. Empty when the run's row misses the target entirely.
        var valid: Range<Int>
        /// Linear target index reached by the run's position `valid.lowerBound`.
        var targetStart: Int
        /// Target step between consecutive grid positions (the last axis' stride).
        var targetStep: Int
    }

    /// The grid positions `g` on `axis` whose coordinate `g · stride + offset` lies in the target.
    func validPositions(axis: Int, offset: Int) -> Range<Int> {
        let stride = strides[axis]
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let reach = target[axis] - offset
        let high = reach <= 0 ? 0 : min(grid[axis], (reach + stride - 1) / stride)
        return low < high ? low..<high : 0..<0
    }

    /// Calls `body` for every run of grid positions in `positions` (linear indices) under the tap
    /// at multi-index `tap`.
    @inline(__always)
    func forEachRun(tap: [Int], positions: Range<Int>, _ body: (Run) -> Void) {
        if positions.isEmpty { return }
        let last = rank - 1
        let lastOffset = tap[last] * dilations[last] - padsBegin[last]
        let lastValid = validPositions(axis: last, offset: lastOffset)
        let width = grid[last]
        let step = strides[last]
        var outer = [Int](repeating: 0, count: last)
        var remainder = positions.lowerBound / width
        for axis in stride(from: last - 1, through: 0, by: -1) {
            outer[axis] = remainder % grid[axis]
            remainder /= grid[axis]
        }
        var position = positions.lowerBound
        while position < positions.upperBound {
            let column = position % width
            let count = min(width - column, positions.upperBound - position)
            var targetRow = 0
            var rowInside = true
            for axis in 0..<last {
                let coordinate = outer[axis] * strides[axis] - padsBegin[axis] + tap[axis] * dilations[axis]
                if coordinate < 0 || coordinate >= target[axis] {
                    rowInside = false
                    break
                }
                targetRow = targetRow * target[axis] + coordinate
            }
            var run = Run(gridStart: position, count: count, valid: 0..<0, targetStart: 0, targetStep: step)
            if rowInside {
                let low = max(lastValid.lowerBound, column), high = min(lastValid.upperBound, column + count)
                if low < high {
                    run.valid = (low - column)..<(high - column)
                    run.targetStart = targetRow * target[last] + low * step + lastOffset
                }
            }
            body(run)
            position += count
            var axis = last - 1
            while axis >= 0 {
                outer[axis] += 1
                if outer[axis] < grid[axis] { break }
                outer[axis] = 0
                axis -= 1
            }
        }
    }

    /// Every tap of a kernel of shape `kernel`, as multi-indices in row-major order.
    static func taps(_ kernel: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        result.reserveCapacity(kernel.reduce(1, *))
        var tap = [Int](repeating: 0, count: kernel.count)
        if kernel.contains(0) { return [] }
        while true {
            result.append(tap)
            var axis = kernel.count - 1
            while axis >= 0 {
                tap[axis] += 1
                if tap[axis] < kernel[axis] { break }
                tap[axis] = 0
                axis -= 1
            }
            if axis < 0 { return result }
        }
    }
}
