import Crypto
import Foundation
import NMTEngine
import Tokenizer

/// The real backend: the CSANMT text pipeline around the engine.
///
/// Texts are split into sentences (keeping their paragraph structure), sentences are encoded to ids, translated, and
/// the translations are reassembled. The server's path (``translate(_:)``) tokenises on a ``BlockingPool`` (never
/// on the cooperative threads) and hands the sentences to a ``BatchScheduler``, which merges them with other
/// requests' sentences into engine batches on dedicated threads, fairly between tenants; the CLI's path
/// (``translateNow(_:options:splitSentences:)``) runs length-sorted batches on the calling thread.
public final class EngineTranslator: Translator, @unchecked Sendable {
    public let model: CSANMTModel
    public let pipeline: CSANMTTextPipeline
    public let directions: [LanguagePair]
    public let description: String
    public let cacheIdentity: String
    /// Most sentences per engine call on the CLI path.
    public let maxBatchSentences: Int
    private var scheduler: BatchScheduler<Decoded>?
    private let observer: SchedulerObserver?
    /// Tokenisation off the cooperative pool: small texts (an interactive request) on two threads at normal
    /// priority, larger ones on one thread per core at the batch workers' lower priority, so a flood of long texts
    /// cannot hold up an interactive request's tokenising (the same split as the engine's express lane).
    private var smallTextPool: BlockingPool?
    private var largeTextPool: BlockingPool?
    /// Texts up to this many characters, all together, count as small.
    static let smallTextCharacters = 200
    /// Most source pieces per chunk when sentences are split (the default): a longer sentence is cut after a
    /// clause mark (``SourceChunker``). Clause-sized chunks are what sentence-level models translate best: on a
    /// 368-character Chinese paragraph of commas, chunks of 96 pieces sent the shipped model into a repetition
    /// loop that ran out of steps, chunks of 48 each ended with `</s>`. ModelScope's exact mode cuts only at the
    /// model's `max_source_length`.
    static let chunkPieces = 48
    /// Step budgets when sentences are split: `max(max_length, 2 × source pieces + 10)`, so a chunk's translation
    /// is never cut at the fixed 100 steps (English runs about 1.3 pieces per Chinese piece). Sentences of up to
    /// 45 pieces keep the fixed budget, and with it ModelScope's exact beams.
    static let lengthScaling = DecodingOptions.LengthScaling(ratio: 2, extra: 10)

    /// One chunk's best hypothesis: its ids, and whether it ended with `</s>` (false: cut at its step budget).
    struct Decoded: Sendable {
        var tokens: [Int32]
        var finished: Bool
    }

    /// Loads the model folder and its tokenizer files (see docs/model-format.md). Errors name the file at fault.
    /// `batching` starts the scheduler's worker threads (the server); without it only ``translateNow`` is used.
    /// `compute` picks float32 or int8 products (``ComputeType``; nil: the weights' own type); `vocabularyMap`
    /// restricts decoding to a shortlist (``VocabularyMap``).
    public init(modelDirectory: URL, compute: ComputeType? = nil, vocabularyMap: URL? = nil, maxBatchSentences: Int = 16,
                batching: BatchingOptions? = nil, observer: SchedulerObserver? = nil) throws {
        let shortlist = try VocabularyMap.shortlist(vocabularyMap, modelDirectory: modelDirectory)
        model = try CSANMTModel(directory: modelDirectory, compute: compute, shortlist: shortlist)
        let c = model.config
        pipeline = try ModelFolder(modelDirectory, config: c).textPipeline(source: c.sourceLanguage)
        directions = [LanguagePair(source: c.sourceLanguage, target: c.targetLanguage)]
        description = "\(modelDirectory.lastPathComponent) (\(c.sourceLanguage)→\(c.targetLanguage), \(c.numEncoderLayers)-\(c.numDecoderLayers)-\(c.hiddenSize), \(model.computeDescription))"
        // Model folder + a digest of config.json (architecture and decoding defaults) + the weights' size and date
        // + the compute type and the shortlist (both change translations, and replicas share the cache).
        let configData = (try? Data(contentsOf: modelDirectory.appendingPathComponent("config.json"))) ?? Data()
        let weights = try? FileManager.default.attributesOfItem(atPath: modelDirectory.appendingPathComponent("model.safetensors").path)
        func digest(_ data: Data) -> String { SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined() }
        cacheIdentity = [modelDirectory.lastPathComponent, digest(configData),
                         "\((weights?[.size] as? Int) ?? 0)", "\((weights?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)",
                         model.compute.rawValue,
                         vocabularyMap.flatMap { FileManager.default.contents(atPath: $0.path) }.map { "vmap " + digest($0) } ?? ""]
            .joined(separator: "|")
        self.maxBatchSentences = maxBatchSentences
        self.observer = observer
        if let batching {
            let model = self.model
            scheduler = BatchScheduler(options: batching, observer: observer, tokens: { $0.tokens.count }) { sources in
                try model.translate(sources, options: DecodingOptions(lengthScaling: Self.lengthScaling)).map(Self.best)
            }
            let nice = batching.enabled && batching.expressWorkers > 0 ? batching.regularWorkerNice : 0
            smallTextPool = BlockingPool(threads: 2, name: "csanmt-tokenizer-small")
            largeTextPool = BlockingPool(threads: ProcessInfo.processInfo.activeProcessorCount, name: "csanmt-tokenizer", nice: nice)
        }
    }

    deinit {
        scheduler?.shutdown()
        smallTextPool?.shutdown()
        largeTextPool?.shutdown()
    }

    /// Sentences waiting in the scheduler.
    public var queuedSentences: Int { scheduler?.queuedSentences ?? 0 }

    public func queuedSentences(tenant: String) -> Int { scheduler?.queuedSentences(tenant: tenant) ?? 0 }

    /// Non-blank sentences as ``translate(_:)`` will split them (sentence splitting only: linear and cheap).
    public func sentenceCount(_ texts: [String]) -> Int {
        texts.reduce(0) { n, text in
            n + SentenceSplitter.sentences(SentenceSplitter.split(text, splitSentences: true)).filter { !$0.allSatisfy(\.isWhitespace) }.count
        }
    }

    public func translate(_ job: TranslationJob) async throws -> [TranslatedText] {
        guard directions.contains(job.pair) else { throw TranslationError.unsupportedPair(job.pair) }
        guard let scheduler, let smallTextPool, let largeTextPool else {
            throw TranslationError.failed("this translator was built without a scheduler")
        }
        let characters = job.texts.reduce(0) { $0 + $1.unicodeScalars.count }
        let tokenizerPool = characters <= Self.smallTextCharacters ? smallTextPool : largeTextPool
        let (texts, options) = (job.texts, job.options)
        let (plan, work) = try await tokenizerPool.run {
            let plan = MarkupPlan(texts, options: options)
            return (plan, try self.prepare(plan.pieces, splitSentences: true))
        }
        try Task.checkCancellation()
        return plan.assemble(finish(work, decoded: try await scheduler.submit(work.chunks.map(\.ids), as: job.owner)))
    }

    /// Translates on the calling thread (the CLI's path; the server goes through ``translate(_:pair:)``).
    /// `splitSentences: false` keeps ModelScope's exact behaviour: only `<SENT_SPLIT>` separates sentences, a
    /// sentence is cut only at the model's `max_source_length`, decoding has the fixed step budget, and plain text
    /// goes to the model whole (no protected spans). `text` reads markup and keeps terms (``TextOptions``).
    public func translateNow(_ texts: [String], options: DecodingOptions, splitSentences: Bool = true,
                             text textOptions: TextOptions = .plain) throws -> [TranslatedText] {
        // ModelScope's exact mode sends plain texts as they are; otherwise spans are protected as on the server.
        let plan = !splitSentences && textOptions == .plain ? MarkupPlan(verbatim: texts) : MarkupPlan(texts, options: textOptions)
        let work = try prepare(plan.pieces, splitSentences: splitSentences)
        var options = options
        if splitSentences, options.lengthScaling == nil { options.lengthScaling = Self.lengthScaling }
        var decoded = [Decoded](repeating: Decoded(tokens: [], finished: true), count: work.chunks.count)
        let order = work.chunks.indices.sorted { work.chunks[$0].ids.count < work.chunks[$1].ids.count }   // similar lengths batch well
        for batchStart in stride(from: 0, to: order.count, by: maxBatchSentences) {
            let batch = Array(order[batchStart..<min(batchStart + maxBatchSentences, order.count)])
            let results = try model.translate(batch.map { work.chunks[$0].ids }, options: options)
            for (k, chunk) in batch.enumerated() { decoded[chunk] = Self.best(results[k]) }
        }
        return plan.assemble(finish(work, decoded: decoded))
    }

    /// The best of a sentence's hypotheses (an empty source decodes to nothing, finished).
    static func best(_ hypotheses: [Hypothesis]) -> Decoded {
        hypotheses.first.map { Decoded(tokens: $0.tokens, finished: $0.finished) } ?? Decoded(tokens: [], finished: true)
    }

    /// Texts cut into sentences (layouts keep paragraphs) and sentences into id chunks.
    struct Work: Sendable {
        var layouts: [[SentenceSplitter.Segment]]
        var sentenceCount: Int
        /// Blank sentences have no chunk; sentences longer than a chunk have several, translated apart.
        var chunks: [(sentence: Int, ids: [Int32])]
    }

    func prepare(_ texts: [String], splitSentences: Bool) throws -> Work {
        let layouts = texts.map { SentenceSplitter.split($0, splitSentences: splitSentences) }
        let sentences = layouts.flatMap(SentenceSplitter.sentences)
        let limit = splitSentences ? min(Self.chunkPieces, model.config.maxSourceLength) : model.config.maxSourceLength
        var chunks: [(sentence: Int, ids: [Int32])] = []
        for (i, s) in sentences.enumerated() where !s.allSatisfy(\.isWhitespace) {
            let encoded = try pipeline.encode(s)
            let ranges = splitSentences ? SourceChunker.chunks(pieces: encoded.pieces, limit: limit)
                : stride(from: 0, to: encoded.ids.count, by: limit).map { $0..<min($0 + limit, encoded.ids.count) }
            for r in ranges { chunks.append((i, Array(encoded.ids[r]))) }
        }
        return Work(layouts: layouts, sentenceCount: sentences.count, chunks: chunks)
    }

    /// Decodes each chunk's tokens, joins chunks per sentence and sentences per text. A text is truncated when a
    /// chunk of it ran out of steps before `</s>`; those chunks are counted in the metrics.
    func finish(_ work: Work, decoded: [Decoded]) -> [TranslatedText] {
        var perSentence = [String](repeating: "", count: work.sentenceCount)
        var cut = [Bool](repeating: false, count: work.sentenceCount)
        for (k, chunk) in work.chunks.enumerated() {
            let text = pipeline.decode(decoded[k].tokens)
            let separator = perSentence[chunk.sentence].isEmpty || pipeline.targetLanguage == "zh" ? "" : " "
            perSentence[chunk.sentence] += separator + text
            if !decoded[k].finished { cut[chunk.sentence] = true }
        }
        let truncatedChunks = decoded.filter { !$0.finished }.count
        if truncatedChunks > 0 { observer?.truncated(chunks: truncatedChunks) }
        var next = 0
        return work.layouts.map { layout in
            let n = SentenceSplitter.sentences(layout).count
            defer { next += n }
            let text = SentenceSplitter.join(layout, translations: Array(perSentence[next..<(next + n)]),
                                             targetLanguage: pipeline.targetLanguage)
            return TranslatedText(text: text, truncated: cut[next..<(next + n)].contains(true))
        }
    }
}
