/// OpenCV's `convexHull(points, clockwise: false, returnPoints: true)` on integer points (Sklansky's
/// scan over the points sorted by x then y), including its final cyclic shift of the output. The
/// vertex order and starting vertex are reproduced because rotating calipers depend on them.
enum ConvexHull {
    static func of(_ points: [GridPoint]) -> [GridPoint] {
        let total = points.count
        guard total > 0 else { return [] }
        // `order[i]` is the index into `points` of the i-th point by (x, y).
        let order = points.indices.sorted { a, b in
            points[a].x != points[b].x ? points[a].x < points[b].x : points[a].y < points[b].y
        }
        var minYIndex = 0, maxYIndex = 0
        for i in 1..<total {
            let y = points[order[i]].y
            if points[order[minYIndex]].y > y { minYIndex = i }
            if points[order[maxYIndex]].y < y { maxYIndex = i }
        }
        func point(_ i: Int) -> GridPoint { points[order[i]] }
        if point(0) == point(total - 1) { return [points[order[0]]] }

        var hull: [Int] = []
        // Upper half (clockwise = false swaps the two stacks).
        let topRight = sklansky(point, start: 0, end: maxYIndex, nsign: -1, sign2: 1)
        let topLeft = sklansky(point, start: total - 1, end: maxYIndex, nsign: -1, sign2: -1)
        for i in 0..<(topLeft.count - 1) { hull.append(order[topLeft[i]]) }
        for i in stride(from: topRight.count - 1, to: 0, by: -1) { hull.append(order[topRight[i]]) }
        let stopIndex = topRight.count > 2 ? topRight[1] : topLeft.count > 2 ? topLeft[topLeft.count - 2] : -1

        var bottomLeft = sklansky(point, start: 0, end: minYIndex, nsign: 1, sign2: -1)
        var bottomRight = sklansky(point, start: total - 1, end: minYIndex, nsign: 1, sign2: 1)
        if stopIndex >= 0 {
            let check = bottomLeft.count > 2 ? bottomLeft[1]
                : bottomLeft.count + bottomRight.count > 2 ? bottomRight[2 - bottomLeft.count] : -1
            if check == stopIndex || (check >= 0 && point(check) == point(stopIndex)) {
                // All points on one line: the lower part mirrors the upper one.
                bottomLeft = Array(bottomLeft.prefix(2))
                bottomRight = Array(bottomRight.prefix(2))
            }
        }
        for i in 0..<(bottomLeft.count - 1) { hull.append(order[bottomLeft[i]]) }
        for i in stride(from: bottomRight.count - 1, to: 0, by: -1) { hull.append(order[bottomRight[i]]) }
        return cyclicallyShifted(hull).map { points[$0] }
    }

    /// One monotone chain of Sklansky's scan from `start` towards `end` (indices in sorted order).
    private static func sklansky(_ point: (Int) -> GridPoint, start: Int, end: Int, nsign: Int, sign2: Int) -> [Int] {
        let increment = end > start ? 1 : -1
        if start == end || point(start) == point(end) { return [start] }
        var previous = start, current = start + increment, next = current + increment
        var stack = [previous, current, next]
        let afterEnd = end + increment
        while next != afterEnd {
            let currentY = Int64(point(current).y), nextY = Int64(point(next).y)
            let by = nextY - currentY
            if by.signum() != Int64(nsign) {
                let ax = Int64(point(current).x - point(previous).x)
                let bx = Int64(point(next).x - point(current).x)
                let ay = currentY - Int64(point(previous).y)
                let convexity = ay * bx - ax * by
                if convexity.signum() == Int64(sign2) && (ax != 0 || ay != 0) {
                    previous = current
                    current = next
                    next += increment
                    stack.append(next)
                } else if previous == start {
                    current = next
                    stack[1] = current
                    next += increment
                    stack[2] = next
                } else {
                    stack[stack.count - 2] = next
                    current = previous
                    previous = stack[stack.count - 4]
                    stack.removeLast()
                }
            } else {
                next += increment
                stack[stack.count - 1] = next
            }
        }
        stack.removeLast()
        return stack
    }

    /// OpenCV rotates the hull so its input indices ascend or descend, when they can.
    private static func cyclicallyShifted(_ hull: [Int]) -> [Int] {
        let n = hull.count
        guard n >= 3 else { return hull }
        var minIndex = 0, maxIndex = 0, ascents = 0
        for i in 1..<n {
            let index = hull[i]
            ascents += hull[i - 1] < index ? 1 : 0
            if ascents > 1 && ascents <= i - 2 { break }
            if index < hull[minIndex] { minIndex = i }
            if index > hull[maxIndex] { maxIndex = i }
        }
        let distance = abs(maxIndex - minIndex)
        guard (distance == 1 || distance == n - 1) && (ascents <= 1 || ascents >= n - 2) else { return hull }
        let ascending = (maxIndex + 1) % n == minIndex
        let first = ascending ? minIndex : maxIndex
        guard first > 0 else { return hull }
        var shifted: [Int] = []
        var j = first
        for i in 0..<n {
            let currentIndex = hull[j]
            shifted.append(currentIndex)
            let nextJ = j + 1 < n ? j + 1 : 0
            if i < n - 1 && ascending != (currentIndex < hull[nextJ]) { return hull }
            j = nextJ
        }
        return shifted
    }
}
