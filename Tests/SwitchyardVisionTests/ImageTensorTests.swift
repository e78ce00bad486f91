import Testing
import SwitchyardTensor
import SwitchyardVision

@Suite struct ImageTensorTests {
    @Test func normalisesPerChannelInBothLayouts() {
        let image = randomImage(width: 7, height: 5, channels: 3, seed: 11)
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        let nchw = image.tensor(layout: .nchw, mean: mean, std: std)
        let nhwc = image.tensor(layout: .nhwc, mean: mean, std: std)
        #expect(nchw.shape == [1, 3, 5, 7] && nhwc.shape == [1, 5, 7, 3] && nchw.dataType == .float32)
        let a = nchw.floats(), b = nhwc.floats()
        for y in 0..<5 {
            for x in 0..<7 {
                for c in 0..<3 {
                    let pixel = Float(image.pixels[(y * 7 + x) * 3 + c])
                    let expected = (pixel / 255 - mean[c]) / std[c]
                    #expect(abs(a[(c * 5 + y) * 7 + x] - expected) < 1e-5)
                    #expect(abs(b[(y * 7 + x) * 3 + c] - expected) < 1e-5)
                }
            }
        }
    }

    @Test func grayImageGivesOneChannel() {
        let image = randomImage(width: 4, height: 3, channels: 1, seed: 12)
        let t = image.tensor(scale: 1, mean: [0.5], std: [0.5])
        #expect(t.shape == [1, 1, 3, 4])
        #expect(t.floats() == image.pixels.map { (Float($0) - 0.5) / 0.5 })
    }
}

@Suite struct ImageRotateTests {
    @Test func halfTurnTwiceIsIdentityAndMovesCorners() {
        let image = randomImage(width: 6, height: 4, channels: 3, seed: 13)
        let turned = image.rotated180()
        #expect(turned.rotated180() == image)
        #expect(Array(turned.pixels[0..<3]) == Array(image.pixels[(image.pixels.count - 3)...]))
    }

    @Test func quarterTurnMatchesNumPyRot90() throws {
        // np.rot90([[1, 2, 3], [4, 5, 6]]) == [[3, 6], [2, 5], [1, 4]]
        let image = try Image(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        let turned = image.rotated90CounterClockwise()
        #expect(turned.width == 2 && turned.height == 3 && turned.pixels == [3, 6, 2, 5, 1, 4])
    }
}
