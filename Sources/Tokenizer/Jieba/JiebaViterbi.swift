/// finalseg's `viterbi` and `__cut`.
extension JiebaHMM {
    /// finalseg's `viterbi(obs, 'BMES', start_P, trans_P, emit_P)` on code points: the best state path and its
    /// log-probability. Sums are formed in jieba's order (`V[t-1][y0] + trans + emit`) and ties go to the later
    /// letter, as Python's `max` over `(prob, state)` tuples does; the last state is E or S (S on a tie).
    /// An empty observation gives an empty path with log-probability 0 (jieba never asks for one).
    public func viterbi(_ observation: [UInt32]) -> (logProbability: Double, states: [State]) {
        guard let first = observation.first else { return (0, []) }
        let n = observation.count
        var v = State.allCases.map { start[$0.rawValue] + emissionLogProbability($0, first) }
        var next = v
        var backPointers = [State](repeating: .begin, count: n * 4)
        for t in 1..<n {
            let cp = observation[t]
            for y in State.allCases {
                let em = emissionLogProbability(y, cp)
                let (a, b) = y.previous
                let pa = v[a.rawValue] + transition[a.rawValue * 4 + y.rawValue] + em
                let pb = v[b.rawValue] + transition[b.rawValue * 4 + y.rawValue] + em
                let takeB = pb > pa || (pb == pa && b.letterRank > a.letterRank)
                next[y.rawValue] = takeB ? pb : pa
                backPointers[t * 4 + y.rawValue] = takeB ? b : a
            }
            swap(&v, &next)
        }
        let pe = v[State.end.rawValue]
        let ps = v[State.single.rawValue]
        var state: State = ps >= pe ? .single : .end
        var states = [State](repeating: state, count: n)
        var t = n - 1
        while t > 0 {
            state = backPointers[t * 4 + state.rawValue]
            states[t - 1] = state
            t -= 1
        }
        return (ps >= pe ? ps : pe, states)
    }

    /// finalseg's `__cut` on `text[range]` (code points U+4E00...U+9FD5): appends the words as ranges of `text`.
    /// A B starts a word, an E ends the one begun at the last B, an S is a word; characters after the last E or S
    /// form a final word.
    func cutHan(_ text: [UInt32], _ range: Range<Int>, into words: inout [Range<Int>]) {
        let states = viterbi(Array(text[range])).states
        var begin = 0
        var nextStart = 0
        for (i, state) in states.enumerated() {
            switch state {
            case .begin:
                begin = i
            case .end:
                words.append((range.lowerBound + begin)..<(range.lowerBound + i + 1))
                nextStart = i + 1
            case .single:
                words.append((range.lowerBound + i)..<(range.lowerBound + i + 1))
                nextStart = i + 1
            case .middle:
                break
            }
        }
        if nextStart < states.count { words.append((range.lowerBound + nextStart)..<range.upperBound) }
    }
}
