import Foundation

/// Loaders for the SentencePiece goldens in Tests/Fixtures/tokenizer/sentencepiece
/// (made by Tools/goldens/make_sentencepiece_goldens.py with the Python `sentencepiece` library).
enum SentencePieceFixtures {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer/sentencepiece")

    /// The fixture models, one per configuration the golden script trains.
    static let modelNames = [
        "unigram_nfkc_4k", "bpe_nfkc_4k", "unigram_bytefallback_1500", "bpe_bytefallback_identity_1500",
        "unigram_suffix_cf_2k",
    ]

    struct Input: Decodable {
        let source: String
        let text: String
    }

    /// One line of `<model>.encode.jsonl`. `decoded` is absent when it equals the input text;
    /// `pieces` and `normalized` are only present on some lines.
    struct EncodeExpectation: Decodable {
        let ids: [Int]
        let decoded: String?
        let pieces: [String]?
        let normalized: String?
    }

    /// One line of `<model>.decode.jsonl`.
    struct DecodeExpectation: Decodable {
        let ids: [Int]
        let text: String
    }

    /// One entry of `probes.json`: a fixture model with some piece scores/types edited, and what the Python
    /// library returns for the edited model.
    struct Probe: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int]
            let decoded: String
        }
        let name: String
        let base: String
        /// Piece id (as a string) -> new score.
        let scores: [String: Float]
        /// Piece id (as a string) -> new `ModelProto.SentencePiece.Type` raw value.
        let types: [String: Int32]
        let cases: [Case]
    }

    static func probes() throws -> [Probe] {
        try JSONDecoder().decode([Probe].self, from: Data(contentsOf: folder.appendingPathComponent("probes.json")))
    }

    static func modelURL(_ name: String) -> URL { folder.appendingPathComponent("\(name).model") }

    static func inputs() throws -> [Input] {
        try JSONDecoder().decode([Input].self, from: Data(contentsOf: folder.appendingPathComponent("inputs.json")))
    }

    static func jsonLines<T: Decodable>(_ file: String, as type: T.Type) throws -> [T] {
        let data = try Data(contentsOf: folder.appendingPathComponent(file))
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(T.self, from: Data($0)) }
    }
}
