import Dispatch
import Foundation
import NMTEngine
import Tokenizer

/// The real backend: the CSANMT text pipeline around the engine.
///
/// Texts are split into sentences (keeping their paragraph structure), all sentences of a call are translated in
/// length-sorted batches, and the translations are reassembled. Inference runs on one dedicated serial queue, never
/// on the server's event loops; OpenBLAS uses the cores within each call.
public final class EngineTranslator: Translator, @unchecked Sendable {
    public let model: CSANMTModel
    public let pipeline: CSANMTTextPipeline
    public let directions: [LanguagePair]
    public let description: String
    /// Most sentences per engine call.
    public let maxBatchSentences: Int
    private let queue = DispatchQueue(label: "csanmt.engine", qos: .userInitiated)

    /// Loads the model folder and its tokenizer files (see docs/model-format.md). Errors name the file at fault.
    public init(modelDirectory: URL, maxBatchSentences: Int = 16) throws {
        model = try CSANMTModel(directory: modelDirectory)
        let c = model.config
        guard let srcVocab = c.tokenizer.srcVocab, let trgVocab = c.tokenizer.trgVocab, let srcBPE = c.tokenizer.srcBPE else {
            throw TokenizerError.file(path: modelDirectory.appendingPathComponent("config.json").path,
                                      reason: "the model folder has no tokenizer files (src_vocab, trg_vocab, src_bpe); it can only translate ids")
        }
        pipeline = try CSANMTTextPipeline(
            sourceLanguage: c.sourceLanguage, targetLanguage: c.targetLanguage,
            srcVocab: modelDirectory.appendingPathComponent(srcVocab), trgVocab: modelDirectory.appendingPathComponent(trgVocab),
            srcBPE: modelDirectory.appendingPathComponent(srcBPE), srcVocabSize: c.srcVocabSize)
        directions = [LanguagePair(source: c.sourceLanguage, target: c.targetLanguage)]
        description = "\(modelDirectory.lastPathComponent) (\(c.sourceLanguage)→\(c.targetLanguage), \(c.numEncoderLayers)-\(c.numDecoderLayers)-\(c.hiddenSize), BLAS \(model.blasLibrary.coreName))"
        self.maxBatchSentences = maxBatchSentences
    }

    public func translate(_ texts: [String], pair: LanguagePair) async throws -> [String] {
        guard directions.contains(pair) else { throw TranslationError.unsupportedPair(pair) }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.translateNow(texts, options: DecodingOptions()) })
            }
        }
    }

    /// Translates on the calling thread (the CLI's path; the server goes through ``translate(_:pair:)``).
    /// `splitSentences: false` keeps ModelScope's exact behaviour: only `<SENT_SPLIT>` separates sentences.
    public func translateNow(_ texts: [String], options: DecodingOptions, splitSentences: Bool = true) throws -> [String] {
        let layouts = texts.map { SentenceSplitter.split($0, splitSentences: splitSentences) }
        let sentences = layouts.flatMap(SentenceSplitter.sentences)
        let translated = try translateSentences(sentences, options: options)
        var next = 0
        return layouts.map { layout in
            let n = SentenceSplitter.sentences(layout).count
            defer { next += n }
            return SentenceSplitter.join(layout, translations: Array(translated[next..<(next + n)]),
                                         targetLanguage: pipeline.targetLanguage)
        }
    }

    /// One translation per sentence. Blank sentences stay blank; sentences longer than the model's limit are
    /// translated in consecutive chunks.
    func translateSentences(_ sentences: [String], options: DecodingOptions) throws -> [String] {
        let limit = model.config.maxSourceLength
        var chunks: [(sentence: Int, ids: [Int32])] = []
        for (i, s) in sentences.enumerated() where !s.allSatisfy(\.isWhitespace) {
            let ids = try pipeline.encode(s).ids
            for start in stride(from: 0, to: ids.count, by: limit) { chunks.append((i, Array(ids[start..<min(start + limit, ids.count)]))) }
        }
        var outputs = [String](repeating: "", count: chunks.count)
        let order = chunks.indices.sorted { chunks[$0].ids.count < chunks[$1].ids.count }   // similar lengths batch well
        for batchStart in stride(from: 0, to: order.count, by: maxBatchSentences) {
            let batch = Array(order[batchStart..<min(batchStart + maxBatchSentences, order.count)])
            let results = try model.translate(batch.map { chunks[$0].ids }, options: options)
            for (k, chunk) in batch.enumerated() { outputs[chunk] = pipeline.decode(results[k].first?.tokens ?? []) }
        }
        var result = [String](repeating: "", count: sentences.count)
        for (k, chunk) in chunks.enumerated() {
            let separator = result[chunk.sentence].isEmpty || pipeline.targetLanguage == "zh" ? "" : " "
            result[chunk.sentence] += separator + outputs[k]
        }
        return result
    }
}
