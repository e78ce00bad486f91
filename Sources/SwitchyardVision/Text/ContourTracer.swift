/// A point on the pixel grid.
struct GridPoint: Equatable, Hashable {
    var x: Int32
    var y: Int32
}

/// Border following on a binary mask, as OpenCV's `findContours(RETR_LIST, CHAIN_APPROX_SIMPLE)`
/// (Suzuki & Abe 1985): every outer border (8-connected foreground) and every hole border, each as the
/// foreground pixels where the border changes direction, in OpenCV's order (last found first).
/// The exact point order matters downstream: the convex hull and rotating calipers that follow are
/// order-sensitive in their float rounding, and DB post-processing truncates their output.
enum ContourTracer {
    /// `mask` is `width`×`height`, nonzero = foreground.
    static func contours(mask: [UInt8], width: Int, height: Int) -> [[GridPoint]] {
        // A zero border of one pixel, as OpenCV pads, so every neighbour read is in bounds.
        let stride = width + 2
        var grid = [Int8](repeating: 0, count: stride * (height + 2))
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] != 0 { grid[(y + 1) * stride + x + 1] = 1 }
        }
        // Neighbour offsets by Freeman direction: 0 = east, counter-clockwise on screen (y grows down).
        let deltas = [1, -stride + 1, -stride, -stride - 1, -1, stride - 1, stride, stride + 1]
        let codeDeltas: [(Int32, Int32)] = [(1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1)]
        var found: [[GridPoint]] = []
        grid.withUnsafeMutableBufferPointer { g in
            for y in 1...height {
                var previous: Int8 = 0
                var x = 1
                while x <= width {
                    let p = g[y * stride + x]
                    if p != previous {
                        let isOuter = previous == 0 && p == 1
                        let isHole = !isOuter && p == 0 && previous >= 1
                        if isOuter || isHole {
                            let startX = isHole ? x - 1 : x
                            let start = GridPoint(x: Int32(startX - 1), y: Int32(y - 1))
                            found.append(follow(g, from: y * stride + startX, origin: start, isHole: isHole,
                                                deltas: deltas, codeDeltas: codeDeltas))
                            previous = g[y * stride + x]
                        } else {
                            previous = p
                        }
                    }
                    x += 1
                }
            }
        }
        return found.reversed()
    }

    /// OpenCV's `icvFetchContour` with CHAIN_APPROX_SIMPLE: follows one border from `start`, marking
    /// visited pixels (2, or -126 where the border has background to its right), and records the
    /// pixels where the chain code changes.
    private static func follow(
        _ g: UnsafeMutableBufferPointer<Int8>, from start: Int, origin: GridPoint, isHole: Bool,
        deltas: [Int], codeDeltas: [(Int32, Int32)]
    ) -> [GridPoint] {
        let visited: Int8 = 2, rightBound: Int8 = 2 | -128
        var points: [GridPoint] = []
        var s = isHole ? 0 : 4
        let firstEnd = s
        var neighbour = start
        repeat {
            s = (s - 1) & 7
            neighbour = start + deltas[s]
        } while g[neighbour] == 0 && s != firstEnd
        if s == firstEnd {  // A single pixel.
            g[start] = rightBound
            return [origin]
        }
        let last = neighbour  // The border's last pixel before returning to the start.
        var current = start, point = origin
        var previousCode = s ^ 4
        while true {
            let searchEnd = s
            var next = current
            while s < 15 {
                s += 1
                next = current + deltas[s & 7]
                if g[next] != 0 { break }
            }
            s &= 7
            if UInt(bitPattern: s - 1) < UInt(searchEnd) {
                g[current] = rightBound
            } else if g[current] == 1 {
                g[current] = visited
            }
            if s != previousCode {
                points.append(point)
                previousCode = s
            }
            point.x += codeDeltas[s].0
            point.y += codeDeltas[s].1
            if next == start && current == last { break }
            current = next
            s = (s + 4) & 7
        }
        return points
    }
}
