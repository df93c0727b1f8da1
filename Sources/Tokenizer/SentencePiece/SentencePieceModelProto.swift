/// The parts of sentencepiece's `ModelProto` (sentencepiece_model.proto) that encoding and decoding use.
/// Parsed by hand from the protobuf wire format; fields not listed here are skipped.
public struct SentencePieceModelProto: Sendable, Equatable {
    /// `ModelProto.SentencePiece.Type`.
    public enum PieceType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// `TrainerSpec.ModelType`.
    public enum ModelType: Int32, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    /// One vocabulary entry (`ModelProto.SentencePiece`).
    public struct Piece: Sendable, Equatable {
        /// The piece text as stored (UTF-8 bytes; protobuf does not check proto2 strings).
        public var bytes: [UInt8]
        /// Log probability (unigram) or merge priority (BPE).
        public var score: Float = 0
        /// Piece type; NORMAL by default.
        public var type: PieceType = .normal

        /// The piece as a Swift string (ill-formed UTF-8 is repaired with U+FFFD).
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// `TrainerSpec`: only the fields that change encoding or decoding, with the proto2 defaults.
    public struct TrainerSpec: Sendable, Equatable {
        public var modelType: ModelType = .unigram
        public var vocabSize: Int32 = 8000
        public var treatWhitespaceAsSuffix = false
        public var allowWhitespaceOnlyPieces = false
        public var splitByWhitespace = true
        public var byteFallback = false
        public var unkId: Int32 = 0
        public var bosId: Int32 = 1
        public var eosId: Int32 = 2
        public var padId: Int32 = -1
        public var unkPiece = "<unk>"
        public var bosPiece = "<s>"
        public var eosPiece = "</s>"
        public var padPiece = "<pad>"
        /// What `decode` prints for the unknown piece (default " \u{2047} ").
        public var unkSurface: [UInt8] = Array(" \u{2047} ".utf8)
    }

    /// `NormalizerSpec`, with the proto2 defaults.
    public struct NormalizerSpec: Sendable, Equatable {
        public var name = ""
        /// The compiled normalization rules: `u32 trie size`, double-array units, NUL-terminated replacement pool.
        public var precompiledCharsmap: [UInt8] = []
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        public var escapeWhitespaces = true
    }

    public var pieces: [Piece] = []
    public var trainerSpec = TrainerSpec()
    public var normalizerSpec = NormalizerSpec()
    /// `denormalizer_spec`, applied to decoded text when it has a charsmap.
    public var denormalizerSpec: NormalizerSpec?

    /// Parses a serialized `ModelProto`.
    /// - Throws: `SentencePieceError.malformedProtobuf` on truncated or malformed data.
    public init(serialized: [UInt8]) throws {
        var reader = SentencePieceWireReader(serialized)
        while let key = try reader.readKey() {
            switch key.field {
            case 1:
                var sub = try reader.readMessage(key, "pieces")
                pieces.append(try Self.parsePiece(&sub))
            case 2:
                var sub = try reader.readMessage(key, "trainer_spec")
                trainerSpec = try Self.parseTrainerSpec(&sub)
            case 3:
                var sub = try reader.readMessage(key, "normalizer_spec")
                normalizerSpec = try Self.parseNormalizerSpec(&sub)
            case 5:
                var sub = try reader.readMessage(key, "denormalizer_spec")
                denormalizerSpec = try Self.parseNormalizerSpec(&sub)
            default:
                try reader.skip(key)
            }
        }
    }

    private static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func parsePiece(_ reader: inout SentencePieceWireReader) throws -> Piece {
        var piece = Piece(bytes: [])
        while let key = try reader.readKey() {
            switch key.field {
            case 1: piece.bytes = try reader.readBytes(key, "piece")
            case 2: piece.score = try reader.readFloat(key, "score")
            case 3:
                let raw = try reader.readInt32(key, "type")
                guard let type = PieceType(rawValue: raw) else {
                    throw SentencePieceError.invalidModel("unknown piece type \(raw)")
                }
                piece.type = type
            default: try reader.skip(key)
            }
        }
        return piece
    }

    private static func parseTrainerSpec(_ reader: inout SentencePieceWireReader) throws -> TrainerSpec {
        var spec = TrainerSpec()
        while let key = try reader.readKey() {
            switch key.field {
            case 3:
                let raw = try reader.readInt32(key, "model_type")
                guard let type = ModelType(rawValue: raw) else {
                    throw SentencePieceError.invalidModel("unknown model type \(raw)")
                }
                spec.modelType = type
            case 4: spec.vocabSize = try reader.readInt32(key, "vocab_size")
            case 22: spec.splitByWhitespace = try reader.readBool(key, "split_by_whitespace")
            case 24: spec.treatWhitespaceAsSuffix = try reader.readBool(key, "treat_whitespace_as_suffix")
            case 26: spec.allowWhitespaceOnlyPieces = try reader.readBool(key, "allow_whitespace_only_pieces")
            case 35: spec.byteFallback = try reader.readBool(key, "byte_fallback")
            case 40: spec.unkId = try reader.readInt32(key, "unk_id")
            case 41: spec.bosId = try reader.readInt32(key, "bos_id")
            case 42: spec.eosId = try reader.readInt32(key, "eos_id")
            case 43: spec.padId = try reader.readInt32(key, "pad_id")
            case 44: spec.unkSurface = try reader.readBytes(key, "unk_surface")
            case 45: spec.unkPiece = string(try reader.readBytes(key, "unk_piece"))
            case 46: spec.bosPiece = string(try reader.readBytes(key, "bos_piece"))
            case 47: spec.eosPiece = string(try reader.readBytes(key, "eos_piece"))
            case 48: spec.padPiece = string(try reader.readBytes(key, "pad_piece"))
            default: try reader.skip(key)
            }
        }
        return spec
    }

    private static func parseNormalizerSpec(_ reader: inout SentencePieceWireReader) throws -> NormalizerSpec {
        var spec = NormalizerSpec()
        while let key = try reader.readKey() {
            switch key.field {
            case 1: spec.name = string(try reader.readBytes(key, "name"))
            case 2: spec.precompiledCharsmap = try reader.readBytes(key, "precompiled_charsmap")
            case 3: spec.addDummyPrefix = try reader.readBool(key, "add_dummy_prefix")
            case 4: spec.removeExtraWhitespaces = try reader.readBool(key, "remove_extra_whitespaces")
            case 5: spec.escapeWhitespaces = try reader.readBool(key, "escape_whitespaces")
            default: try reader.skip(key)
            }
        }
        return spec
    }
}
