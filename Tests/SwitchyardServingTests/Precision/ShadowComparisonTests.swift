import Testing
import SwitchyardTensor
@testable import SwitchyardServing

/// The sampler's even picks and the comparison arithmetic, on hand-made tensors.
@Suite struct ShadowComparisonTests {
    @Test func theSamplerPicksExactlyTheRateOfRequests() {
        for (rate, picked) in [(1.0, 100), (0.25, 25), (0.05, 5), (0.0, 0), (0.3, 30)] {
            let sampler = ShadowSampler(rate: rate)
            #expect((0..<100).filter { _ in sampler.next() }.count == picked, "rate \(rate)")
        }
        let everyFourth = ShadowSampler(rate: 0.25)
        #expect((0..<8).map { _ in everyFourth.next() } == [false, false, false, true, false, false, false, true])
    }

    @Test func argmaxAgreementCountsRowsAndErrorsCountElements() throws {
        // Rows 0 and 2 keep their argmax; row 1 moves from class 1 to class 2; a tie keeps the first.
        let served = Tensor(shape: [3, 3], scalars: [Float](arrayLiteral: 0.1, 0.7, 0.2, 0.3, 0.4, 0.3, 0.5, 0.5, -1))
        let reference = Tensor(shape: [3, 3], scalars: [Float](arrayLiteral: 0.1, 0.6, 0.2, 0.3, 0.4, 0.6, 0.5, 0.5, -1))
        let result = try ShadowComparison.compare(served: served, reference: reference, output: "p", metric: .auto, tolerance: 0)
        #expect(result.units == 3 && result.agreeingUnits == 2)
        #expect(result.elements == 9)
        #expect(abs(result.maxAbsoluteError - 0.3) < 1e-6)
        #expect(abs(result.absoluteErrorSum - 0.4) < 1e-6)
    }

    @Test func toleranceAgreementCountsElementsWithinTheTolerance() throws {
        let served = Tensor(shape: [1, 2, 2], scalars: [Float](arrayLiteral: 1, 2, 3, .nan))
        let reference = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1.5, 2, 3.25, 4))
        let result = try ShadowComparison.compare(served: served, reference: reference, output: "y", metric: .auto, tolerance: 0.25)
        // Rank 3 resolves to tolerance; NaN against 4 disagrees and stays out of the errors.
        #expect(result.units == 4 && result.agreeingUnits == 2)
        #expect(result.elements == 3 && result.maxAbsoluteError == 0.5 && result.absoluteErrorSum == 0.75)
        #expect(ShadowComparison.resolve(.auto, shape: [8, 1]) == .tolerance)
        #expect(ShadowComparison.resolve(.argmax, shape: [8, 25, 100]) == .argmax)
    }

    @Test func outputsThatCannotBeComparedAreErrors() {
        let three = Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, 2, 3))
        let four = Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 2, 3, 4))
        RepositoryTestKit.expectError("output 'y': the served model returned [3] and the reference [4]; they must have as many elements") { () throws(ServingError) in
            _ = try ShadowComparison.compare(served: three, reference: four, output: "y", metric: .auto, tolerance: 0)
        }
    }
}
