import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Builders shared by the control-flow tests.
enum ControlFlowFixtures {
    /// Runs `graph` as a default-domain model of `opset` through a `Session`.
    static func run(_ graph: Graph, _ inputs: [String: Tensor], opset: Int = 17) throws -> [String: Tensor] {
        let session = try Session(model: Model(opsetImports: ["": opset], graph: graph))
        return try session.run(inputs)
    }

    static func scalar(_ name: String, _ type: DataType) -> ValueInfo {
        ValueInfo(name: name, dataType: type, shape: [])
    }

    static func named(_ info: ValueInfo, _ name: String) -> ValueInfo {
        var copy = info
        copy.name = name
        return copy
    }

    /// A small deterministic generator (SplitMix64) for test inputs.
    struct SeededRandom {
        private var state: UInt64

        init(seed: UInt64) { state = seed }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// A float in ±[0.25, 2), never zero.
        mutating func float() -> Float {
            let magnitude = 0.25 + Float(next() >> 40) / Float(1 << 24) * 1.75
            return next() & 1 == 0 ? magnitude : -magnitude
        }

        mutating func int(in range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
    }
}
