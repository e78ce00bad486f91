import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct TrainingTests {
    typealias F = NormRNNFixtures

    static func run(_ opType: String, inputs: [Tensor], attributes: [String: Attribute], outputs: Int) throws -> [Tensor] {
        let kernel = try #require(ReferenceKernels.kernel(opType: opType, domain: ReferenceKernels.trainingDomain))
        let node = Node(opType: opType, inputs: inputs.indices.map { "in\($0)" }, outputs: (0..<outputs).map { "out\($0)" },
                        attributes: attributes)
        return try kernel(OpContext(node: node, opset: 1, inputs: inputs))
    }

    @Test func adamUpdatesTwoTensors() throws {
        var rng = F.SeededGenerator(seed: 80)
        let lists = (0..<4).map { _ in F.values(6, using: &rng) }   // X, G, V, H for each of two 3-element tensors
        let (r, t, alpha, beta, eps, lambda, post) = (0.1, 3.0, 0.8, 0.95, 1e-3, 0.01, 0.02)
        let h = lists[3].map(abs)
        var expected = [[Double]](repeating: [], count: 3)
        let rate = r * sqrt(1 - pow(beta, t)) / (1 - pow(alpha, t))
        for e in 0..<6 {
            let g = lambda * lists[0][e] + lists[1][e]
            let v = alpha * lists[2][e] + (1 - alpha) * g
            let hNew = beta * h[e] + (1 - beta) * g * g
            expected[0].append((1 - post) * (lists[0][e] - rate * v / (sqrt(hNew) + eps)))
            expected[1].append(v)
            expected[2].append(hNew)
        }
        let tensors = [lists[0], lists[1], lists[2], h].flatMap { values in
            [F.tensor([3], Array(values[0..<3]), .float64), F.tensor([3], Array(values[3..<6]), .float64)]
        }
        let outputs = try Self.run("Adam", inputs: [Tensor(scalar: r), Tensor(scalar: Int64(t))] + tensors, attributes: [
            "alpha": .float(Float(alpha)), "beta": .float(Float(beta)), "epsilon": .float(Float(eps)),
            "norm_coefficient": .float(Float(lambda)), "norm_coefficient_post": .float(Float(post)),
        ], outputs: 6)
        #expect(outputs.count == 6)
        for (index, output) in outputs.enumerated() {
            let (list, half) = index.quotientAndRemainder(dividingBy: 2)
            F.expectClose(output, Array(expected[list][(half * 3)..<(half * 3 + 3)]), shape: [3], tolerance: 1e-6)
        }
    }

    @Test(arguments: ["standard", "nesterov"])
    func momentumAndAdagrad(mode: String) throws {
        var rng = F.SeededGenerator(seed: 81)
        let (x, g, v) = (F.values(4, using: &rng), F.values(4, using: &rng), F.values(4, using: &rng))
        let (r, alpha, beta, lambda) = (0.05, 0.9, 0.5, 0.1)
        let gr = zip(x, g).map { lambda * $0 + $1 }
        let vNew = zip(v, gr).map { alpha * $0 + beta * $1 }
        let xNew = (0..<4).map { x[$0] - r * (mode == "standard" ? vNew[$0] : gr[$0] + alpha * vNew[$0]) }
        let outputs = try Self.run("Momentum", inputs: [Tensor(scalar: r), Tensor(scalar: Int64(2)), F.tensor([4], x, .float64),
                                                        F.tensor([4], g, .float64), F.tensor([4], v, .float64)],
                                   attributes: ["alpha": .float(Float(alpha)), "beta": .float(Float(beta)),
                                                "norm_coefficient": .float(Float(lambda)), "mode": .string(mode)], outputs: 2)
        F.expectClose(outputs[0], xNew, shape: [4], tolerance: 1e-6)
        F.expectClose(outputs[1], vNew, shape: [4], tolerance: 1e-6)

        let h = v.map(abs)
        let hNew = zip(h, g).map { $0 + $1 * $1 }
        let rate = r / (1 + 2 * 0.5)
        let adagrad = try Self.run("Adagrad", inputs: [Tensor(scalar: r), Tensor(scalar: Int64(2)), F.tensor([4], x, .float64),
                                                       F.tensor([4], g, .float64), F.tensor([4], h, .float64)],
                                   attributes: ["decay_factor": .float(0.5), "epsilon": .float(0)], outputs: 2)
        F.expectClose(adagrad[0], (0..<4).map { x[$0] - rate * g[$0] / sqrt(hNew[$0]) }, shape: [4], tolerance: 1e-6)
        F.expectClose(adagrad[1], hNew, shape: [4], tolerance: 1e-6)
        F.expectInvalid("mode") {
            try Self.run("Momentum", inputs: [Tensor(scalar: r), Tensor(scalar: Int64(2)), F.tensor([4], x), F.tensor([4], g), F.tensor([4], v)],
                         attributes: ["alpha": .float(0.9), "beta": .float(0.5), "norm_coefficient": .float(0), "mode": .string("heavy")], outputs: 2)
        }
    }
}
