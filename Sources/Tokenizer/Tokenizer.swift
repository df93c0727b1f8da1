/// The CSANMT text pipeline: segmentation / Moses tokenization, BPE, vocabulary lookup and the way back.
/// See docs/tokenizer.md. The module never sees tensors; the engine never sees text.
public enum TokenizerModule {
    /// Versions of the Python libraries whose output this module reproduces.
    public static let referenceVersions = [
        "jieba": "0.42.1", "sacremoses": "0.2.0", "subword-nmt": "0.3.8", "sentencepiece": "0.2.3",
    ]
}
