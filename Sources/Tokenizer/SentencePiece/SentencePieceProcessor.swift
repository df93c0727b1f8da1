import Foundation

/// A pure-Swift SentencePiece tokenizer that gives the same ids, pieces and decoded text as the
/// `sentencepiece` library (C++/Python, version 0.2.3) for UNIGRAM and BPE models,
/// including byte fallback, user-defined symbols and the precompiled normalization rules (e.g. `nmt_nfkc`).
///
/// Immutable after loading and safe to share between threads.
public final class SentencePieceProcessor: Sendable {
    /// The parsed model file.
    public let model: SentencePieceModelProto

    private enum Segmenter: Sendable {
        case unigram(SentencePieceUnigramModel)
        case bpe(SentencePieceBPEModel)
    }

    private let vocabulary: SentencePieceVocabulary
    private let normalizer: SentencePieceNormalizer
    private let segmenter: Segmenter
    private let decoder: SentencePieceDecoder

    /// Loads a `.model` file.
    /// - Throws: `SentencePieceError` when the file cannot be read or is not a valid model.
    public convenience init(modelURL: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: modelURL)
        } catch {
            throw SentencePieceError.unreadableFile(path: modelURL.path, reason: "\(error)")
        }
        try self.init(modelData: data)
    }

    /// Loads a serialized `ModelProto` (the content of a `.model` file).
    /// - Throws: `SentencePieceError` when the data is truncated, malformed or not a valid model.
    public convenience init(modelData: Data) throws {
        try self.init(model: try SentencePieceModelProto(serialized: [UInt8](modelData)))
    }

    /// Builds a processor from an already parsed model.
    /// - Throws: `SentencePieceError` when the model breaks an invariant the C++ library checks, or uses an
    ///   unsupported model type (WORD, CHAR).
    public init(model: SentencePieceModelProto) throws {
        self.model = model
        let vocabulary = try SentencePieceVocabulary(proto: model)
        self.vocabulary = vocabulary
        switch model.trainerSpec.modelType {
        case .unigram:
            segmenter = .unigram(SentencePieceUnigramModel(vocabulary: vocabulary))
        case .bpe:
            segmenter = .bpe(SentencePieceBPEModel(vocabulary: vocabulary))
        case .word, .char:
            throw SentencePieceError.unsupported("model type \(model.trainerSpec.modelType)")
        }
        normalizer = try SentencePieceNormalizer(
            spec: model.normalizerSpec, treatWhitespaceAsSuffix: model.trainerSpec.treatWhitespaceAsSuffix,
            userDefined: vocabulary.userDefinedTrie)
        var denormalizer: SentencePieceNormalizer?
        if let spec = model.denormalizerSpec, !spec.precompiledCharsmap.isEmpty {
            denormalizer = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: false, userDefined: nil)
        }
        decoder = SentencePieceDecoder(
            vocabulary: vocabulary, unkSurface: model.trainerSpec.unkSurface,
            addDummyPrefix: model.normalizerSpec.addDummyPrefix,
            removeExtraWhitespaces: model.normalizerSpec.removeExtraWhitespaces, denormalizer: denormalizer)
    }

    // MARK: - Vocabulary

    /// Number of pieces in the vocabulary (ids are `0..<vocabularySize`).
    public var vocabularySize: Int { vocabulary.count }

    /// The piece for an id, or nil when the id is out of range.
    public func idToPiece(_ id: Int) -> String? {
        guard vocabulary.pieces.indices.contains(id) else { return nil }
        return String(decoding: vocabulary.pieces[id], as: UTF8.self)
    }

    /// The id of a piece, or the unknown piece's id when it is not in the vocabulary (-1 when there is none).
    public func pieceToId(_ piece: String) -> Int { vocabulary.pieceToId(Array(piece.utf8)) }

    /// The type of the piece with this id, or nil when the id is out of range.
    public func pieceType(_ id: Int) -> SentencePieceModelProto.PieceType? {
        vocabulary.types.indices.contains(id) ? vocabulary.types[id] : nil
    }

    /// The score of the piece with this id (0 when out of range).
    public func score(_ id: Int) -> Float { vocabulary.scores.indices.contains(id) ? vocabulary.scores[id] : 0 }

    /// Id of `unk_piece` (`<unk>`) when it is the unknown piece, else -1 (a byte-fallback model may have none).
    public var unkId: Int { specialId(model.trainerSpec.unkPiece, default: "<unk>", type: .unknown) }
    /// Id of `bos_piece` (`<s>`) when it is a control piece, else -1.
    public var bosId: Int { specialId(model.trainerSpec.bosPiece, default: "<s>", type: .control) }
    /// Id of `eos_piece` (`</s>`) when it is a control piece, else -1.
    public var eosId: Int { specialId(model.trainerSpec.eosPiece, default: "</s>", type: .control) }
    /// Id of `pad_piece` (`<pad>`) when it is a control piece, else -1.
    public var padId: Int { specialId(model.trainerSpec.padPiece, default: "<pad>", type: .control) }

    private func specialId(_ piece: String, default fallback: String, type: SentencePieceModelProto.PieceType) -> Int {
        let id = pieceToId(piece.isEmpty ? fallback : piece)
        return id >= 0 && vocabulary.types[id] == type ? id : -1
    }

    // MARK: - Encoding

    /// The normalized form of `text` (what `sp.normalize(text)` returns): charsmap rules, whitespace handling,
    /// spaces escaped as U+2581.
    public func normalize(_ text: String) -> String {
        String(decoding: normalizer.normalize(Array(text.utf8)), as: UTF8.self)
    }

    /// Encodes text into piece ids (`sp.encode(text)`).
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        encode(text) { id, _ in ids.append(id) }
        return ids
    }

    /// Encodes text into pieces (`sp.encode(text, out_type=str)`): runs of unknown characters are one piece,
    /// byte-fallback bytes are `<0xNN>`.
    public func encodeAsPieces(_ text: String) -> [String] {
        var pieces: [String] = []
        encode(text) { _, piece in pieces.append(piece()) }
        return pieces
    }

    /// Normalizes, segments and reports each output piece as `SentencePieceProcessor::EncodeOptimized` does:
    /// an unknown piece becomes its UTF-8 bytes when byte fallback is on, and consecutive unknown pieces are
    /// merged into one otherwise. `piece` builds the piece string on demand.
    private func encode(_ text: String, _ emit: (_ id: Int, _ piece: () -> String) -> Void) {
        let normalized = normalizer.normalize(Array(text.utf8))
        let segments: [SentencePieceSegment]
        switch segmenter {
        case let .unigram(model): segments = model.encode(normalized)
        case let .bpe(model): segments = model.encode(normalized)
        }
        var index = 0
        while index < segments.count {
            let segment = segments[index]
            index += 1
            guard vocabulary.isUnknown(segment.id) else {
                emit(segment.id) { String(decoding: normalized[segment.start..<segment.end], as: UTF8.self) }
                continue
            }
            if let byteIds = vocabulary.byteIds {
                for byte in normalized[segment.start..<segment.end] {
                    emit(byteIds[Int(byte)]) {
                        String(decoding: SentencePieceVocabulary.byteToPiece(byte), as: UTF8.self)
                    }
                }
                continue
            }
            var end = segment.end
            while index < segments.count, vocabulary.isUnknown(segments[index].id) {
                end = segments[index].end
                index += 1
            }
            emit(segment.id) { String(decoding: normalized[segment.start..<end], as: UTF8.self) }
        }
    }

    // MARK: - Decoding

    /// Decodes ids into text (`sp.decode(ids)`). Ids outside `0..<vocabularySize` are skipped (the Python
    /// library raises an error for them instead).
    public func decode(_ ids: [Int]) -> String {
        let valid = ids.filter { $0 >= 0 && $0 < vocabulary.count }
        return String(decoding: decoder.decode(valid), as: UTF8.self)
    }
}
