/// Cuts a sentence too long to translate in one piece into chunks translated apart and joined. A cut falls after
/// a clause or sentence mark where there is one (a Chinese paragraph of commas and no full stop is one "sentence"),
/// so each chunk reads as a unit and its translation ends with `</s>` within its step budget.
enum SourceChunker {
    /// Source pieces after which a cut reads naturally: clause and sentence punctuation of both languages, as the
    /// tokenizers leave them (Moses keeps ASCII marks as pieces; jieba keeps full-width ones).
    static let breakPieces: Set<String> = [
        ",", ";", ":", ".", "!", "?", ")", "，", "、", "；", "：", "。", "！", "？", "…", "）", "」", "』", "”", "’",
    ]

    /// Ranges over `pieces` of at most `limit` each, in order, covering every piece. A chunk that must be cut is
    /// cut after the last break piece in its second half, else at `limit` (no mark late enough: a hard cut).
    static func chunks(pieces: [String], limit: Int) -> [Range<Int>] {
        precondition(limit >= 1, "a chunk holds at least one piece")
        var out: [Range<Int>] = []
        var start = 0
        while pieces.count - start > limit {
            let hardEnd = start + limit
            let soft = (start + limit / 2..<hardEnd).last { breakPieces.contains(pieces[$0]) }
            let end = soft.map { $0 + 1 } ?? hardEnd
            out.append(start..<end)
            start = end
        }
        if start < pieces.count { out.append(start..<pieces.count) }
        return out
    }
}
