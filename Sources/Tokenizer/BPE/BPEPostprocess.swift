/// The way back from BPE pieces, as ModelScope's CSANMT pipeline does it.
public enum BPEPostprocess {
    /// `s.replace('@@ ', '').replace('@@', '')` on code points (not grapheme clusters, so a separator followed
    /// by a space and a combining mark is still removed).
    public static func removeSeparators(_ text: String) -> String {
        let at: [UInt32] = [0x40, 0x40]
        var scalars = MosesScalarText.scalars(of: text)
        scalars = MosesScalarText.replacing([0x40, 0x40, 0x20], with: [], in: scalars)
        scalars = MosesScalarText.replacing(at, with: [], in: scalars)
        return MosesScalarText.string(from: scalars)
    }
}
