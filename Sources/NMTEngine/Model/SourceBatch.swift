/// A batch of source id sequences, padded for the encoders (csanmt-spec §1.3).
///
/// Each row gets the implicit `</s>` (id 0) appended, then 0-padding up to `length`. Valid positions are the
/// real tokens plus that one `</s>`: `valid[b, t] = t <= lengths[b]`.
///
/// ModelScope appends the `</s>` as `zeros_like(src)[:, :1]`, which is empty when every source of the batch is
/// empty: then there are no positions at all (`length == 0`), the semantic vector pools nothing (0) and
/// cross-attention contributes 0. The engine reproduces that.
struct SourceBatch {
    let ids: [Int32]        // [batch, length], 0-padded
    let lengths: [Int]      // real tokens per row (without </s>)
    let batch: Int
    let length: Int         // max real length + 1

    init(_ sources: [[Int32]]) {
        batch = sources.count
        lengths = sources.map(\.count)
        let longest = lengths.max() ?? 0
        length = longest == 0 ? 0 : longest + 1
        var ids = [Int32](repeating: 0, count: batch * length)
        for (b, s) in sources.enumerated() {
            for (t, id) in s.enumerated() { ids[b * length + t] = id }
        }
        self.ids = ids
    }

    @inline(__always)
    func isValid(_ b: Int, _ t: Int) -> Bool { t <= lengths[b] }
}
