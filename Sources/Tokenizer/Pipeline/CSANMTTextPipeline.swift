import Foundation

/// The text side of ModelScope's CSANMT pipeline (translation_pipeline.py, csanmt-spec §3), line for line:
///
/// - zh source: `' '.join(jieba.cut(s))`, then BPE;
/// - other sources: Moses punctuation normalisation, Moses tokenisation (escaping on; aggressive dash splits except
///   for en↔es/fr), then BPE;
/// - ids: source vocabulary, unknown pieces → `src_vocab_size - 1`;
/// - output: target vocabulary (unknown id → `<unk>`), join, remove `@@`, Moses detokenisation for the target.
public final class CSANMTTextPipeline: Sendable {
    public let sourceLanguage: String
    public let targetLanguage: String
    let sourceVocabulary: Vocabulary
    let targetVocabulary: Vocabulary
    let bpe: BPE
    let unknownSourceID: Int32
    let normalizer: MosesPunctNormalizer?
    let tokenizer: MosesTokenizer?
    let detokenizer: MosesDetokenizer
    let aggressiveDashSplits: Bool

    /// The result of preprocessing one sentence.
    public struct Encoded: Sendable, Equatable {
        /// After segmentation (zh) or Moses tokenisation, before BPE.
        public let words: [String]
        /// After BPE, with `@@` separators.
        public let pieces: [String]
        /// Source-vocabulary ids (no `</s>`).
        public let ids: [Int32]
    }

    /// - Parameters:
    ///   - srcVocab, trgVocab, srcBPE: files (usually inside the model folder).
    ///   - srcVocabSize: the model's `src_vocab_size`; unknown pieces map to `srcVocabSize - 1`, as in ModelScope.
    public init(sourceLanguage: String, targetLanguage: String, srcVocab: URL, trgVocab: URL, srcBPE: URL,
                srcVocabSize: Int) throws {
        self.sourceLanguage = sourceLanguage
        self.targetLanguage = targetLanguage
        sourceVocabulary = try Vocabulary(contentsOf: srcVocab)
        targetVocabulary = try Vocabulary(contentsOf: trgVocab)
        do { bpe = try BPE(contentsOf: srcBPE) } catch { throw TokenizerError.file(path: srcBPE.path, reason: "\(error)") }
        unknownSourceID = Int32(srcVocabSize - 1)
        if sourceLanguage == "zh" {
            _ = try JiebaSegmenter.shared()   // load (and fail) now, not on the first request
            normalizer = nil
            tokenizer = nil
        } else {
            normalizer = MosesPunctNormalizer(lang: sourceLanguage)
            tokenizer = try MosesTokenizer(lang: sourceLanguage)
        }
        detokenizer = try MosesDetokenizer(lang: targetLanguage)
        let romance: Set = ["es", "fr"]
        aggressiveDashSplits = !((romance.contains(sourceLanguage) && targetLanguage == "en")
            || (sourceLanguage == "en" && romance.contains(targetLanguage)))
    }

    /// Preprocesses one sentence (no `<SENT_SPLIT>` handling; see ``SentenceSplitter``).
    public func encode(_ sentence: String) throws -> Encoded {
        let tokenized: String
        if let tokenizer, let normalizer {
            tokenized = tokenizer.tokenizedString(normalizer.normalize(sentence), escape: true,
                                                  aggressiveDashSplits: aggressiveDashSplits)
        } else {
            tokenized = try JiebaSegmenter.shared().cut(sentence).joined(separator: " ")
        }
        let pieces = bpe.segment(tokenized)
        return Encoded(words: PythonText.split(tokenized), pieces: pieces,
                       ids: pieces.map { sourceVocabulary.id($0, unknown: unknownSourceID) })
    }

    /// The source vocabulary's piece for `id` (`<unk>` outside it).
    public func sourcePiece(_ id: Int32) -> String { sourceVocabulary.token(id) }

    /// The source vocabulary's id for `piece` (``unknownPieceID`` when absent).
    public func sourceID(_ piece: String) -> Int32 { sourceVocabulary.id(piece, unknown: unknownSourceID) }

    /// The id unknown source pieces get (`src_vocab_size - 1`).
    public var unknownPieceID: Int32 { unknownSourceID }

    /// Target ids (without `</s>`) to text.
    public func decode(_ ids: [Int32]) -> String {
        detokenize(ids.map(targetVocabulary.token).joined(separator: " "))
    }

    /// Space-separated target pieces (with `@@` markers) to text: `@@` removal, then Moses detokenisation.
    public func detokenize(_ pieces: String) -> String {
        detokenizer.detokenize(PythonText.split(BPEPostprocess.removeSeparators(pieces)))
    }
}
