import Foundation

/// One output hypothesis: target ids cut before the first `</s>`, and its length-normalised score.
public struct Hypothesis: Sendable, Equatable {
    /// Target ids, without `</s>`.
    public let tokens: [Int32]
    /// Σ log p / ((5 + n) / 6)^α, n counting the `</s>` (csanmt-spec §1.8).
    public let score: Float
    /// Whether the hypothesis ended with `</s>`; false for a beam that ran out of steps.
    public let finished: Bool
}

/// ModelScope's beam search, ported literally (csanmt-spec §1.8): 2k candidates per step, alive/finished
/// bookkeeping with FMIN masking, GNMT length penalty, a fixed step budget, and ModelScope's termination test,
/// applied to the whole batch or to each sentence (``DecodingOptions/Stopping``). All arithmetic is float32, as in
/// TF, so scores and tie-breaks match.
///
/// The bookkeeping arrays are indexed by sentence (row r = s·k + j); the decoder state is indexed by slot, the
/// sentence's position among those still decoding (`state.slotSentence`).
struct BeamSearch {
    let beam: Int
    let alpha: Float
    /// The buffers' length: the largest of `sentenceSteps`.
    let maxLength: Int
    /// Each sentence's step budget (all `maxLength` in ModelScope's fixed mode); it also sets the sentence's
    /// stopping bound, the length penalty at its budget.
    let sentenceSteps: [Int]
    let vocab: Int
    let stopping: DecodingOptions.Stopping

    static let fmin = -Float.greatestFiniteMagnitude   // tf.float32.min

    @inline(__always)
    func lengthPenalty(_ n: Int) -> Float { powf((5 + Float(n)) / 6, alpha) }

    /// Runs the search. `step(t, previous)` must fill `state.logProbs` for every active row given each active
    /// row's previous token (both indexed by slot). Returns, per sentence, the `beam` entries TF returns (best
    /// first).
    func run(_ state: DecoderState, step: (Int, UnsafePointer<Int32>) -> Void) -> [[Hypothesis]] {
        let k = beam, b = state.sentences, n = state.rows, cap = maxLength, fmin = Self.fmin
        // Alive hypotheses: tokens [n, cap] (t valid), running log-prob and normalised score.
        var alive = [Int32](repeating: 0, count: n * cap), nextAlive = alive
        var logProbs = [Float](repeating: 0, count: n), scores = [Float](repeating: 0, count: n)
        for r in 0..<n where r % k != 0 { logProbs[r] = fmin }
        // Finished hypotheses: tokens [n, cap] with their length, score and flag.
        var fin = [Int32](repeating: 0, count: n * cap), nextFin = fin
        var finLength = [Int](repeating: 0, count: n), nextFinLength = finLength
        var finScores = [Float](repeating: fmin, count: n), nextFinScores = finScores
        var finFlags = [Bool](repeating: false, count: n), nextFinFlags = finFlags
        var previous = [Int32](repeating: 0, count: n)     // by slot row
        var sourceRows = [Int](repeating: 0, count: n)     // by slot row
        var top = TopK(k: 2 * k), aliveTop = TopK(k: k), finTop = TopK(k: k)
        var candScore = [Float](repeating: 0, count: 2 * k), candBeam = [Int](repeating: 0, count: 2 * k)
        var candSym = [Int32](repeating: 0, count: 2 * k)
        let maxPenalties = sentenceSteps.map(lengthPenalty)   // by sentence
        var t = 0
        var results = [[Hypothesis]?](repeating: nil, count: b)
        // Sentence s's k entries as TF returns them: finished ones if any finished, else the alive beams.
        func hypotheses(_ s: Int) -> [Hypothesis] {
            let useFinished = (0..<k).contains { finFlags[s * k + $0] }
            return (0..<k).map { j in
                let r = s * k + j
                let tokens = useFinished ? Array(fin[(r * cap)..<(r * cap + finLength[r])])
                    : Array(alive[(r * cap)..<(r * cap + t)])
                let cut = tokens.firstIndex(of: 0).map { Array(tokens[..<$0]) } ?? tokens
                return Hypothesis(tokens: cut, score: useFinished ? finScores[r] : scores[r],
                                  finished: useFinished && finFlags[r])
            }
        }
        decoding: while t < cap && state.activeSentences > 0 {
            previous.withUnsafeBufferPointer { step(t, $0.baseAddress!) }
            let penalty = lengthPenalty(t + 1)
            for slot in 0..<state.activeSentences {
                let s = state.slotSentence[slot]
                // Top 2k of (log_probs + logp) / lp over the k*V candidates of sentence s.
                top.reset()
                for j in 0..<k {
                    top.offer(row: state.logProbs.p + (slot * k + j) * vocab, count: vocab, base: logProbs[s * k + j],
                              penalty: penalty, first: j * vocab)
                }
                aliveTop.reset()
                for c in 0..<2 * k {
                    candScore[c] = top.values[c]
                    candBeam[c] = top.indices[c] / vocab
                    candSym[c] = Int32(top.indices[c] % vocab)
                    aliveTop.offer(candScore[c] + (candSym[c] == 0 ? fmin : 0), c)   // best k non-EOS
                }
                for j in 0..<k {
                    let c = aliveTop.indices[j], r = s * k + j, from = s * k + candBeam[c]
                    for i in 0..<t { nextAlive[r * cap + i] = alive[from * cap + i] }
                    nextAlive[r * cap + t] = candSym[c]
                    previous[slot * k + j] = candSym[c]
                    sourceRows[slot * k + j] = slot * k + candBeam[c]
                    scores[r] = aliveTop.values[j]
                    logProbs[r] = aliveTop.values[j] * penalty
                }
                // Finished: top k of the old finished and this step's EOS candidates.
                finTop.reset()
                for j in 0..<k { finTop.offer(finScores[s * k + j], j) }
                for c in 0..<2 * k { finTop.offer(candScore[c] + (candSym[c] == 0 ? 0 : fmin), k + c) }
                for j in 0..<k {
                    let f = finTop.indices[j], r = s * k + j
                    nextFinScores[r] = finTop.values[j]
                    if f < k {
                        let from = s * k + f
                        for i in 0..<finLength[from] { nextFin[r * cap + i] = fin[from * cap + i] }
                        nextFinLength[r] = finLength[from]
                        nextFinFlags[r] = finFlags[from]
                    } else {
                        let c = f - k, from = s * k + candBeam[c]
                        for i in 0..<t { nextFin[r * cap + i] = alive[from * cap + i] }
                        nextFin[r * cap + t] = candSym[c]
                        nextFinLength[r] = t + 1
                        nextFinFlags[r] = candSym[c] == 0
                    }
                }
            }
            swap(&alive, &nextAlive)
            swap(&fin, &nextFin)
            swap(&finLength, &nextFinLength)
            swap(&finScores, &nextFinScores)
            swap(&finFlags, &nextFinFlags)
            state.reorder(sourceRows: sourceRows, steps: t + 1)
            t += 1
            // ModelScope's `_is_finished`, evaluated before the next step.
            // A sentence whose own budget is spent is done too (only under `.eachSentence` can budgets differ).
            let done = (0..<state.activeSentences).map {
                let s = state.slotSentence[$0]
                return t >= sentenceSteps[s] || isFinished(s, k, logProbs, finScores, finFlags, maxPenalties[s])
            }
            switch stopping {
            case .wholeBatch:
                if !done.contains(false) { break decoding }
            case .eachSentence:
                guard done.contains(true) else { continue }
                let keep = (0..<state.activeSentences).filter { !done[$0] }
                // A retiring sentence's hypotheses are final now; the step loop no longer touches its rows.
                for slot in 0..<state.activeSentences where done[slot] {
                    let s = state.slotSentence[slot]
                    results[s] = hypotheses(s)
                }
                for (to, from) in keep.enumerated() where to != from {
                    for j in 0..<k { previous[to * k + j] = previous[from * k + j] }
                }
                state.retain(slots: keep, steps: t)
            }
        }
        return (0..<b).map { results[$0] ?? hypotheses($0) }
    }

    /// ModelScope's `_is_finished` for one sentence: its worst finished score beats the best score its alive beams
    /// could still reach, at the most favourable length penalty. (TF stops when this holds for every sentence.)
    private func isFinished(_ s: Int, _ k: Int, _ logProbs: [Float], _ finScores: [Float], _ finFlags: [Bool],
                            _ maxPenalty: Float) -> Bool {
        let bestAlive = logProbs[s * k] / maxPenalty
        var worst = Float.greatestFiniteMagnitude, any = false
        for j in 0..<k {
            worst = min(worst, finScores[s * k + j] * (finFlags[s * k + j] ? 1 : 0))
            any = any || finFlags[s * k + j]
        }
        if !any { worst += Self.fmin }
        return worst > bestAlive
    }
}
