import Testing
import SwitchyardVision

@Suite struct QuadOverlapTests {
    static func quad(_ corners: [(Float, Float)]) -> Quad { Quad(points: corners.map { Point(x: $0.0, y: $0.1) }) }

    @Test func axisAlignedQuadsOverlapAsTheirBoxes() {
        let a = Self.quad([(0, 0), (10, 0), (10, 10), (0, 10)])
        let b = Self.quad([(1, 1), (11, 1), (11, 11), (1, 11)])
        #expect(a.area == 100)
        #expect(abs(a.iou(b) - 81 / 119) < 1e-6)
        #expect(abs(a.iou(b) - a.boundingBox.iou(b.boundingBox)) < 1e-6)
        // Either winding, either order.
        let reversed = Quad(points: b.points.reversed())
        #expect(abs(reversed.iou(a) - 81 / 119) < 1e-6 && abs(a.iou(reversed) - 81 / 119) < 1e-6)
        #expect(a.iou(a) == 1)
    }

    @Test func rotatedSquareInsideItsBoxCoversHalf() {
        // A diamond inscribed in a 10×10 square: area 50, all of it inside the square.
        let square = Self.quad([(0, 0), (10, 0), (10, 10), (0, 10)])
        let diamond = Self.quad([(5, 0), (10, 5), (5, 10), (0, 5)])
        #expect(diamond.area == 50)
        #expect(abs(square.iou(diamond) - 0.5) < 1e-6 && abs(diamond.iou(square) - 0.5) < 1e-6)
    }

    @Test func disjointAndDegenerateQuadsDoNotOverlap() {
        let a = Self.quad([(0, 0), (10, 0), (10, 10), (0, 10)])
        #expect(a.iou(Self.quad([(20, 0), (30, 0), (30, 10), (20, 10)])) == 0)
        #expect(a.iou(Self.quad([(2, 2), (8, 2), (8, 2), (2, 2)])) == 0)
    }
}
