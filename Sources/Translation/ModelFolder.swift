import Foundation
import NMTEngine
import Tokenizer

/// A model folder made by convert-weights (docs/model-format.md), read without its weights: the config and the
/// tokenizer files of both languages. Tokenising and detokenising either language need nothing more.
public struct ModelFolder: Sendable {
    public let url: URL
    public let config: ModelConfig

    /// Reads `url/config.json`; errors name the file at fault.
    public init(_ url: URL) throws {
        self.init(url, config: try ModelConfig.load(directory: url))
    }

    /// The folder whose config is already loaded (by ``CSANMTModel``, which reads it with the weights).
    public init(_ url: URL, config: ModelConfig) {
        self.url = url
        self.config = config
    }

    /// The model's two languages, source first.
    public var languages: [String] { [config.sourceLanguage, config.targetLanguage] }

    /// The text pipeline that reads `source` (either of the model's languages) and writes the other. Reading the
    /// model's source language, it is the translation pipeline; reading its target language, it tokenises with the
    /// target side's BPE codes and vocabulary (what the reverse model of the same family reads) and detokenises
    /// into the source language.
    public func textPipeline(source: String) throws -> CSANMTTextPipeline {
        let files = config.tokenizer
        let reversed: Bool
        switch source {
        case config.sourceLanguage: reversed = false
        case config.targetLanguage: reversed = true
        default:
            throw TokenizerError.file(path: url.appendingPathComponent("config.json").path,
                                      reason: "the model's languages are \(languages.joined(separator: " and ")), not \(source)")
        }
        let (vocab, otherVocab, bpe) = reversed ? (files.trgVocab, files.srcVocab, files.trgBPE) : (files.srcVocab, files.trgVocab, files.srcBPE)
        guard let vocab, let otherVocab, let bpe else {
            let missing = reversed ? "trg_vocab, src_vocab and trg_bpe" : "src_vocab, trg_vocab and src_bpe"
            throw TokenizerError.file(path: url.appendingPathComponent("config.json").path,
                                      reason: "the model folder lacks tokenizer files for reading \(source) (\(missing))")
        }
        return try CSANMTTextPipeline(
            sourceLanguage: source, targetLanguage: reversed ? config.sourceLanguage : config.targetLanguage,
            srcVocab: url.appendingPathComponent(vocab), trgVocab: url.appendingPathComponent(otherVocab),
            srcBPE: url.appendingPathComponent(bpe), srcVocabSize: reversed ? config.trgVocabSize : config.srcVocabSize)
    }
}
