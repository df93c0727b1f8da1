/// The vocabulary of a model: piece bytes, scores and types, and the lookups built from them
/// (sentencepiece 0.2.3's `ModelInterface::InitializePieces` and model constructors, with the same checks).
struct SentencePieceVocabulary: Sendable {
    typealias PieceType = SentencePieceModelProto.PieceType

    let pieces: [[UInt8]]
    let scores: [Float]
    /// Piece types, after the library's load-time fix-up (a `"\0"` piece becomes UNUSED with byte fallback).
    let types: [PieceType]
    /// NORMAL, USER_DEFINED and UNUSED pieces (`ModelInterface::pieces_`): what segmentation may produce.
    let normalTrie: SentencePieceTrie
    /// CONTROL, UNKNOWN and BYTE pieces (`reserved_id_map_`), looked up first by `pieceToId`.
    let reservedTrie: SentencePieceTrie
    /// USER_DEFINED pieces (`PrefixMatcher`), or nil when there are none.
    let userDefinedTrie: SentencePieceTrie?
    /// Id of the UNKNOWN piece; -1 only when there is none, which byte fallback allows.
    let unkId: Int
    /// The id of `<0xNN>` for each byte, when byte fallback is on.
    let byteIds: [Int]?
    /// Smallest score of the NORMAL pieces (`FLT_MAX` when there are none, as in C++).
    let minScore: Float

    /// - Throws: `SentencePieceError.invalidModel` for the cases the C++ library rejects.
    init(proto: SentencePieceModelProto) throws {
        let byteFallback = proto.trainerSpec.byteFallback
        let isBPE = proto.trainerSpec.modelType == .bpe
        var types = proto.pieces.map(\.type)
        var normal: [(key: [UInt8], value: Int)] = []
        var reserved: [(key: [UInt8], value: Int)] = []
        var userDefined: [(key: [UInt8], value: Int)] = []
        var normalKeys = Set<[UInt8]>()
        var reservedKeys = Set<[UInt8]>()
        var unk = -1
        var byteIds = [Int](repeating: -1, count: 256)
        var minScore = Float.greatestFiniteMagnitude

        for (id, piece) in proto.pieces.enumerated() {
            let bytes = piece.bytes
            // SentencePieceProcessor::Load: with byte fallback a raw "\0" piece is demoted to UNUSED.
            if byteFallback && bytes == [0] { types[id] = .unused }
            let type = types[id]
            if !isBPE, !piece.score.isFinite {
                throw SentencePieceError.invalidModel("score of piece \(id) is NaN or Inf")
            }
            if type == .normal { minScore = min(minScore, piece.score) }
            guard bytes.count < 8000 else { throw SentencePieceError.invalidModel("piece \(id) is too long") }
            guard !bytes.isEmpty else { throw SentencePieceError.invalidModel("piece \(id) is empty") }
            if bytes == [0] && type == .unused { continue }
            guard !bytes.contains(0) else {
                throw SentencePieceError.invalidModel("piece \(id) contains a NUL character")
            }
            let isNormal = type == .normal || type == .userDefined || type == .unused
            // BPE keeps every piece in one map, unigram keeps reserved pieces apart: duplicates differ.
            let inserted: Bool
            if isNormal {
                inserted = normalKeys.insert(bytes).inserted && !(isBPE && reservedKeys.contains(bytes))
            } else {
                inserted = reservedKeys.insert(bytes).inserted && !(isBPE && normalKeys.contains(bytes))
            }
            guard inserted else { throw SentencePieceError.invalidModel("piece \(piece.text) is already defined") }
            if isNormal { normal.append((bytes, id)) } else { reserved.append((bytes, id)) }

            switch type {
            case .userDefined:
                userDefined.append((bytes, id))
            case .unknown:
                guard unk < 0 else { throw SentencePieceError.invalidModel("unk is already defined") }
                unk = id
            case .byte:
                guard byteFallback else {
                    throw SentencePieceError.invalidModel(
                        "byte piece \(piece.text) is found although `byte_fallback` is false")
                }
                guard let byte = Self.pieceToByte(bytes) else {
                    throw SentencePieceError.invalidModel("byte piece \(piece.text) is invalid")
                }
                byteIds[Int(byte)] = id
            case .normal, .control, .unused:
                break
            }
        }
        guard unk >= 0 || byteFallback else { throw SentencePieceError.invalidModel("unk is not defined") }
        if byteFallback {
            guard !byteIds.contains(-1) else {
                throw SentencePieceError.invalidModel("there are not 256 byte pieces although `byte_fallback` is true")
            }
        }
        if !isBPE && normal.isEmpty { throw SentencePieceError.invalidModel("no pieces are loaded") }

        self.pieces = proto.pieces.map(\.bytes)
        self.scores = proto.pieces.map(\.score)
        self.types = types
        self.normalTrie = SentencePieceTrie(normal)
        self.reservedTrie = SentencePieceTrie(reserved)
        self.userDefinedTrie = userDefined.isEmpty ? nil : SentencePieceTrie(userDefined)
        self.unkId = unk
        self.byteIds = byteFallback ? byteIds : nil
        self.minScore = minScore
    }

    var count: Int { pieces.count }

    /// Whether an id produced by segmentation is unknown (`IsUnknownId`): the missing unknown id -1, or an
    /// UNKNOWN piece.
    @inline(__always)
    func isUnknown(_ id: Int) -> Bool { id < 0 || types[id] == .unknown }

    /// `ModelInterface::PieceToId`: reserved pieces first, then the others, else the unknown id.
    func pieceToId(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        reservedTrie.exactMatch(bytes, from: start, to: end)
            ?? normalTrie.exactMatch(bytes, from: start, to: end) ?? unkId
    }

    /// `ModelInterface::PieceToId` for a whole key.
    func pieceToId(_ key: [UInt8]) -> Int {
        key.withUnsafeBufferPointer { pieceToId($0, from: 0, to: $0.count) }
    }

    /// `<0xNN>` -> NN (upper-case hex digits only, as `PieceToByte` accepts exactly `ByteToPiece`'s output).
    static func pieceToByte(_ bytes: [UInt8]) -> UInt8? {
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "0"),
              bytes[2] == UInt8(ascii: "x"), bytes[5] == UInt8(ascii: ">"),
              let high = hexDigit(bytes[3]), let low = hexDigit(bytes[4]) else { return nil }
        return high << 4 | low
    }

    /// `ByteToPiece`: the `<0xNN>` piece for a byte.
    static func byteToPiece(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return Array("<0x".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 15)], UInt8(ascii: ">")]
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
