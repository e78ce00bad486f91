import CDNNL
import Testing
import SwitchyardTensor
@testable import SwitchyardEngine

/// The byte passes of oneDNN regions split over the region's OpenMP team (table lookups,
/// QuantizedElementwise) compute every element exactly once, as on one thread. Regions take a
/// team only above 20 M elements of work (`DNNLRegionKernel.parallelWorkThreshold`), more than
/// a graph test can afford, so the kernels are called directly here.
@Suite("DNNL byte passes on a team")
struct DNNLByteTeamTests {
    static func bytes(_ count: Int, _ generator: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// Positions where two byte arrays differ (a count, so a failure does not print the arrays).
    static func differences(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : max(a.count, b.count)
    }

    @Test("table lookups split over a team equal the single-thread loop",
          arguments: [(100, 2), (65_536, 2), (300_001, 2), (300_001, 3)])
    func lookups(count: Int, threads: Int) {
        var generator = SplitMix64(seed: 900 + UInt64(count))
        let a = Self.bytes(count, &generator), b = Self.bytes(count, &generator)
        let single = Self.bytes(256, &generator), pairs = Self.bytes(65_536, &generator)
        var expected = [UInt8](repeating: 0, count: count), team = expected
        switchyard_lookup8_scalar(a, &expected, count, single)
        switchyard_lookup8_team(a, nil, &team, count, single, Int32(threads))
        #expect(Self.differences(team, expected) == 0)
        switchyard_lookup8_pairs(a, b, &expected, count, pairs)
        switchyard_lookup8_team(a, b, &team, count, pairs, Int32(threads))
        #expect(Self.differences(team, expected) == 0)
    }

    /// `y = (DQ(a) + DQ(a) · s) · DQ(b)`, `s` one float per item and channel, in both layouts.
    @Test("QuantizedElementwise split over a team equals one thread",
          arguments: [true, false], [(2, 24, 1_000), (1, 300, 257)])
    func quantizedElementwise(channelsLast: Bool, geometry: (batch: Int, channels: Int, spatial: Int)) {
        var generator = SplitMix64(seed: 910 + UInt64(geometry.channels))
        let count = geometry.batch * geometry.channels * geometry.spatial
        let a = Self.bytes(count, &generator), b = Self.bytes(count, &generator)
        let scales = (0..<geometry.batch * geometry.channels).map { _ in Float(generator.next() % 1000) / 500 - 1 }
        let program = QuantizedElementwiseProgram(
            inputOrder: [0, 1, 2],
            steps: [switchyard_qe_step(op: Int32(SWITCHYARD_QE_MUL.rawValue), out: 3, a: 0, b: 2, p0: 0, p1: 0),
                    switchyard_qe_step(op: Int32(SWITCHYARD_QE_ADD.rawValue), out: 4, a: 0, b: 3, p0: 0, p1: 0),
                    switchyard_qe_step(op: Int32(SWITCHYARD_QE_MUL.rawValue), out: 5, a: 4, b: 1, p0: 0, p1: 0)],
            registerCount: 6, result: 5, outputScale: 0.37, outputZeroPoint: 7, outputSigned: false)
        let step = DNNLQuantizedElementwiseStep(
            program: program, byteSlots: [0, 1],
            byteInputs: [.init(scale: 0.05, zeroPoint: 128, signed: false), .init(scale: 0.02, zeroPoint: -3, signed: true)],
            floatSlots: [2], floatStrides: [(geometry.channels, 1)], destination: 3,
            batch: geometry.batch, channels: geometry.channels, spatial: geometry.spatial, channelsLast: channelsLast)
        func run(threads: Int) -> [UInt8] {
            var output = [UInt8](repeating: 0, count: count)
            a.withUnsafeBytes { aBytes in
                b.withUnsafeBytes { bBytes in
                    scales.withUnsafeBytes { scaleBytes in
                        output.withUnsafeMutableBytes { outBytes in
                            let addresses = [aBytes.baseAddress!, bBytes.baseAddress!, scaleBytes.baseAddress!]
                                .map { UnsafeMutableRawPointer(mutating: $0) } + [outBytes.baseAddress!]
                            step.run(threads: threads) { addresses[$0] }
                        }
                    }
                }
            }
            return output
        }
        let single = run(threads: 1)
        #expect(Self.differences(run(threads: 2), single) == 0)
        #expect(Self.differences(run(threads: 3), single) == 0)
        // Not a constant output: the program reads its inputs.
        #expect(Set(single).count > 10)
    }
}
