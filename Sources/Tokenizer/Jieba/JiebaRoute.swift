/// jieba's `get_DAG` and `calc`: the word graph of a block and its best path under the unigram model.
extension JiebaDictionary {
    /// One entry of jieba's `route`: the best log-probability of the rest of the sentence from this position, and
    /// the (inclusive) end of the first word on that path.
    public struct RouteStep: Equatable, Sendable {
        /// `route[idx][0]`: the best log-probability of `sentence[idx...]`.
        public let logProbability: Double
        /// `route[idx][1]`: the inclusive end of the first word of that best path.
        public let end: Int
    }

    /// jieba's `get_DAG(sentence)`: for each code point position `k`, the inclusive ends `i` of the words
    /// `sentence[k...i]` that have a frequency above 0, in increasing order; `[k]` when there is none.
    public func dag(_ sentence: String) -> [[Int]] {
        let labels = sentence.unicodeScalars.map { label(of: $0.value) }
        return labels.indices.map { k in
            var ends: [Int] = []
            forEachWord(startingAt: k, in: labels) { end, _ in ends.append(end) }
            return ends.isEmpty ? [k] : ends
        }
    }

    /// jieba's `calc(sentence, DAG, route)`: `route[idx] = max((log(FREQ.get(word) or 1) - logtotal +
    /// route[x + 1].prob, x) for x in DAG[idx])`, with `route[N] = (0, 0)`. Ties go to the longer word, as with
    /// Python's tuple comparison.
    public func route(_ sentence: String) -> [RouteStep] {
        let labels = sentence.unicodeScalars.map { label(of: $0.value) }
        let (probabilities, ends) = bestRoute(labels)
        return zip(probabilities, ends).map { RouteStep(logProbability: $0, end: $1) }
    }

    /// Calls `body(end, logFrequency)` for each word (frequency > 0) that starts at `start`, shortest first:
    /// the walk of `get_DAG` down the prefix dictionary, which stops at the first fragment that is not a key.
    @inline(__always)
    func forEachWord(startingAt start: Int, in labels: [UInt16], _ body: (Int, Double) -> Void) {
        var node = child(of: 0, label: labels[start])
        var i = start
        while node != 0 {
            let index = Int(frequencyIndex[node])
            if frequencies[index] != 0 { body(i, logFrequencies[index]) }
            i += 1
            if i >= labels.count { break }
            node = child(of: node, label: labels[i])
        }
    }

    /// Runs `calc` over a block given as trie labels. Returns `N + 1` log-probabilities and the inclusive end of
    /// the best first word at each position (`route[N]` being `(0, 0)`).
    func bestRoute(_ labels: [UInt16]) -> (probabilities: [Double], ends: [Int]) {
        let n = labels.count
        var probabilities = [Double](repeating: 0, count: n + 1)
        var ends = [Int](repeating: 0, count: n + 1)
        var idx = n - 1
        while idx >= 0 {
            var bestEnd = -1
            var best = 0.0
            forEachWord(startingAt: idx, in: labels) { end, logFrequency in
                let p = logFrequency - logTotal + probabilities[end + 1]
                // Candidates come in increasing `end`; `>=` keeps the larger end on ties, like max over (p, x).
                if bestEnd < 0 || p >= best {
                    best = p
                    bestEnd = end
                }
            }
            if bestEnd < 0 {
                // DAG[idx] = [idx]; FREQ.get(char) is 0 or None, so jieba uses log(1) = 0.
                best = 0.0 - logTotal + probabilities[idx + 1]
                bestEnd = idx
            }
            probabilities[idx] = best
            ends[idx] = bestEnd
            idx -= 1
        }
        return (probabilities, ends)
    }

    /// `FREQ.get(word)` is truthy: the code points `labels[range]` form a word with frequency above 0.
    func isWord(_ labels: ArraySlice<UInt16>) -> Bool {
        let node = node(forLabels: labels)
        return node != 0 && frequency(atNode: node) != 0
    }
}
