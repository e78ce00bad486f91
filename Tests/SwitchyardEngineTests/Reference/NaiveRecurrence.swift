import Foundation
@testable import SwitchyardEngine

/// A deliberately plain RNN/GRU/LSTM for the tests: one batch entry and one time step at a
/// time, indexing the node's tensors (in their own layout) directly, straight from the ONNX
/// equations.
struct NaiveRecurrence {
    enum Kind { case rnn, gru, lstm }
    var kind: Kind
    var sequenceLength: Int, batch: Int, inputSize: Int, hidden: Int
    var reversed: [Bool]
    var layout = 0
    var x: [Double], w: [Double], r: [Double]
    var b: [Double]?
    var lengths: [Int]?
    var initialH: [Double]?, initialC: [Double]?, peepholes: [Double]?
    var clip: Double?
    var linearBeforeReset = false
    var inputForget = false
    /// Activation functions per direction (f[, g[, h]]).
    var activations: [[(Double) -> Double]]

    static func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

    var gateCount: Int { switch kind { case .rnn: 1; case .gru: 3; case .lstm: 4 } }
    var directions: Int { reversed.count }

    func xAt(_ t: Int, _ entry: Int, _ k: Int) -> Double {
        layout == 0 ? x[(t * batch + entry) * inputSize + k] : x[(entry * sequenceLength + t) * inputSize + k]
    }
    func stateIndex(_ d: Int, _ entry: Int, _ j: Int) -> Int {
        layout == 0 ? (d * batch + entry) * hidden + j : (entry * directions + d) * hidden + j
    }
    func yIndex(_ t: Int, _ d: Int, _ entry: Int, _ j: Int) -> Int {
        layout == 0 ? ((t * directions + d) * batch + entry) * hidden + j
                    : ((entry * sequenceLength + t) * directions + d) * hidden + j
    }
    func clipped(_ v: Double) -> Double { clip.map { min(max(v, -$0), $0) } ?? v }

    /// `Σₖ input[k] · M[d][gate·hidden + j][k]` for a `[directions, gates·hidden, depth]` matrix.
    func dot(_ input: [Double], _ matrix: [Double], _ d: Int, _ gate: Int, _ j: Int) -> Double {
        let depth = input.count
        let row = (d * gateCount + gate) * hidden + j
        return (0..<depth).reduce(0) { $0 + input[$1] * matrix[row * depth + $1] }
    }
    func bias(_ d: Int, _ recurrent: Bool, _ gate: Int, _ j: Int) -> Double {
        b?[d * 2 * gateCount * hidden + (recurrent ? gateCount * hidden : 0) + gate * hidden + j] ?? 0
    }

    /// Y, Y_h and Y_c in the node's layout.
    func run() -> (y: [Double], yH: [Double], yC: [Double]) {
        var y = [Double](repeating: 0, count: sequenceLength * directions * batch * hidden)
        var yH = [Double](repeating: 0, count: directions * batch * hidden), yC = yH
        for d in 0..<directions {
            for entry in 0..<batch {
                let length = lengths?[entry] ?? sequenceLength
                var h = (0..<hidden).map { initialH?[stateIndex(d, entry, $0)] ?? 0 }
                var c = (0..<hidden).map { initialC?[stateIndex(d, entry, $0)] ?? 0 }
                let times = reversed[d] ? Array((0..<length).reversed()) : Array(0..<length)
                for t in times {
                    let xt = (0..<inputSize).map { xAt(t, entry, $0) }
                    func pre(_ gate: Int, _ j: Int, state: [Double]) -> Double {
                        dot(xt, w, d, gate, j) + dot(state, r, d, gate, j) + bias(d, false, gate, j) + bias(d, true, gate, j)
                    }
                    let act = activations[d]
                    switch kind {
                    case .rnn:
                        h = (0..<hidden).map { act[0](clipped(pre(0, $0, state: h))) }
                    case .gru:
                        let z = (0..<hidden).map { act[0](clipped(pre(0, $0, state: h))) }
                        let rg = (0..<hidden).map { act[0](clipped(pre(1, $0, state: h))) }
                        let candidate = (0..<hidden).map { j -> Double in
                            let inputPart = dot(xt, w, d, 2, j) + bias(d, false, 2, j)
                            let recurrentPart = linearBeforeReset
                                ? rg[j] * (dot(h, r, d, 2, j) + bias(d, true, 2, j))
                                : dot(zip(rg, h).map { $0 * $1 }, r, d, 2, j) + bias(d, true, 2, j)
                            return act[1](clipped(inputPart + recurrentPart))
                        }
                        h = (0..<hidden).map { (1 - z[$0]) * candidate[$0] + z[$0] * h[$0] }
                    case .lstm:
                        let p = { (gate: Int, j: Int) in self.peepholes?[d * 3 * self.hidden + gate * self.hidden + j] ?? 0 }
                        let i = (0..<hidden).map { act[0](clipped(pre(0, $0, state: h) + p(0, $0) * c[$0])) }
                        let f = inputForget ? i.map { 1 - $0 }
                                            : (0..<hidden).map { act[0](clipped(pre(2, $0, state: h) + p(2, $0) * c[$0])) }
                        let g = (0..<hidden).map { act[1](clipped(pre(3, $0, state: h))) }
                        let newC = (0..<hidden).map { f[$0] * c[$0] + i[$0] * g[$0] }
                        let o = (0..<hidden).map { act[0](clipped(pre(1, $0, state: h) + p(1, $0) * newC[$0])) }
                        h = (0..<hidden).map { o[$0] * act[2](newC[$0]) }
                        c = newC
                    }
                    for j in 0..<hidden { y[yIndex(t, d, entry, j)] = h[j] }
                }
                for j in 0..<hidden where length > 0 {
                    yH[stateIndex(d, entry, j)] = h[j]
                    yC[stateIndex(d, entry, j)] = c[j]
                }
            }
        }
        return (y, yH, yC)
    }
}
