import Foundation
import Testing
@testable import Tokenizer

/// Parity with the Python `sentencepiece` library on the committed goldens, plus unit tests of the pieces.
@Suite struct SentencePieceTests {
    // MARK: - Parity with the Python library

    @Test(arguments: SentencePieceFixtures.modelNames)
    func encodeMatchesPythonOnEveryFixtureLine(_ name: String) throws {
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL(name))
        let inputs = try SentencePieceFixtures.inputs()
        let expected = try SentencePieceFixtures.jsonLines("\(name).encode.jsonl",
                                                           as: SentencePieceFixtures.EncodeExpectation.self)
        try #require(inputs.count == expected.count)
        #expect(inputs.count >= 2000)

        var identicalIds = 0, identicalDecoded = 0, piecesChecked = 0, normalizedChecked = 0
        for (input, want) in zip(inputs, expected) {
            let ids = sp.encode(input.text)
            if ids == want.ids { identicalIds += 1 } else {
                Issue.record("\(name) \(input.source): ids differ for \(input.text.debugDescription)\n got  \(ids)\n want \(want.ids)")
            }
            let decoded = sp.decode(want.ids)
            if decoded == (want.decoded ?? input.text) { identicalDecoded += 1 } else {
                Issue.record("\(name) \(input.source): decode differs: \(decoded.debugDescription) vs \((want.decoded ?? input.text).debugDescription)")
            }
            if let pieces = want.pieces {
                piecesChecked += 1
                #expect(sp.encodeAsPieces(input.text) == pieces, "\(name) \(input.source)")
            }
            if let normalized = want.normalized {
                normalizedChecked += 1
                #expect(sp.normalize(input.text) == normalized, "\(name) \(input.source)")
            }
        }
        print("SentencePiece parity \(name): ids \(identicalIds)/\(inputs.count), decoded \(identicalDecoded)/\(inputs.count), pieces checked \(piecesChecked), normalized checked \(normalizedChecked)")
        #expect(identicalIds == inputs.count)
        #expect(identicalDecoded == inputs.count)
    }

    @Test(arguments: SentencePieceFixtures.modelNames)
    func decodeMatchesPythonOnRandomIdSequences(_ name: String) throws {
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL(name))
        let cases = try SentencePieceFixtures.jsonLines("\(name).decode.jsonl",
                                                        as: SentencePieceFixtures.DecodeExpectation.self)
        #expect(cases.count > 100)
        var identical = 0
        for c in cases {
            let text = sp.decode(c.ids)
            if text == c.text { identical += 1 } else {
                Issue.record("\(name): decode(\(c.ids)) = \(text.debugDescription), want \(c.text.debugDescription)")
            }
        }
        print("SentencePiece decode parity \(name): \(identical)/\(cases.count)")
    }

    @Test func editedModelsMatchPythonProbes() throws {
        let probes = try SentencePieceFixtures.probes()
        #expect(probes.count >= 20)
        var cases = 0
        for probe in probes {
            let data = try Data(contentsOf: SentencePieceFixtures.modelURL(probe.base))
            var model = try SentencePieceModelProto(serialized: [UInt8](data))
            for (id, score) in probe.scores {
                let index = try #require(Int(id))
                model.pieces[index].score = score
            }
            for (id, raw) in probe.types {
                let index = try #require(Int(id))
                model.pieces[index].type = try #require(SentencePieceModelProto.PieceType(rawValue: raw))
            }
            let sp = try SentencePieceProcessor(model: model)
            for c in probe.cases {
                cases += 1
                #expect(sp.encode(c.text) == c.ids, "\(probe.name): \(c.text.debugDescription)")
                #expect(sp.decode(c.ids) == c.decoded, "\(probe.name): \(c.text.debugDescription)")
            }
        }
        print("SentencePiece probes: \(probes.count) edited models, \(cases) cases")
    }

    @Test func plusZeroOutranksMinusZeroInBPEMerges() throws {
        // The library's agenda compares float bit patterns as integers (see probes "bpe_plus_zero_*").
        let data = try Data(contentsOf: SentencePieceFixtures.modelURL("bpe_nfkc_4k"))
        var model = try SentencePieceModelProto(serialized: [UInt8](data))
        let plain = try SentencePieceProcessor(model: model)
        let ia = plain.pieceToId("ia"), ab = plain.pieceToId("ab")
        model.pieces[ia].score = -0.0
        model.pieces[ab].score = 0.0
        #expect(try SentencePieceProcessor(model: model).encodeAsPieces("iab") == ["▁", "i", "ab"])
        model.pieces[ia].score = 0.0
        model.pieces[ab].score = -0.0
        #expect(try SentencePieceProcessor(model: model).encodeAsPieces("iab") == ["▁", "ia", "b"])
    }

    @Test func userDefinedScoreIsOneTenthPerExtraByte() {
        #expect(SentencePieceUnigramModel.userDefinedScore(length: 1) == 0)
        #expect(SentencePieceUnigramModel.userDefinedScore(length: 6) == Float(0.1 * 5.0))
    }

    @Test func fixtureModelsLoadWithTheirSettings() throws {
        let unigram = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))
        #expect(unigram.vocabularySize == 4000)
        #expect(unigram.model.trainerSpec.modelType == .unigram)
        #expect(unigram.model.normalizerSpec.name == "nmt_nfkc")
        #expect(!unigram.model.normalizerSpec.precompiledCharsmap.isEmpty)
        #expect(unigram.unkId == 0 && unigram.bosId == 1 && unigram.eosId == 2 && unigram.padId == -1)
        #expect(unigram.idToPiece(0) == "<unk>")
        #expect(unigram.pieceToId("<s>") == 1)
        #expect(unigram.pieceToId("definitely-not-a-piece") == 0)

        let bpe = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("bpe_bytefallback_identity_1500"))
        #expect(bpe.model.trainerSpec.modelType == .bpe)
        #expect(bpe.model.trainerSpec.byteFallback)
        #expect(!bpe.model.normalizerSpec.removeExtraWhitespaces)
        #expect(bpe.model.normalizerSpec.precompiledCharsmap.isEmpty)
        #expect(bpe.pieceType(bpe.pieceToId("<0xE4>")) == .byte)
        #expect(bpe.pieceType(bpe.pieceToId("<sep>")) == .userDefined)

        let suffix = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_suffix_cf_2k"))
        #expect(suffix.model.trainerSpec.treatWhitespaceAsSuffix)
        #expect(suffix.pieceType(suffix.pieceToId("<2zh>")) == .control)
    }

    @Test func byteFallbackRoundTripsRareCharacters() throws {
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_bytefallback_1500"))
        let text = "魑魅魍魉 𠀀"
        let pieces = sp.encodeAsPieces(text)
        #expect(pieces.contains("<0xF0>"))
        #expect(sp.decode(sp.encode(text)) == text)
        // A truncated UTF-8 sequence of byte pieces decodes to one U+FFFD per byte.
        let truncated = [sp.pieceToId("<0xE4>"), sp.pieceToId("<0xB8>")]
        #expect(sp.decode(truncated) == "\u{FFFD}\u{FFFD}")
    }

    @Test func unknownRunsAreMergedWithoutByteFallback() throws {
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))
        let ids = sp.encode("𠀀𪚥")
        #expect(ids.filter { $0 == sp.unkId }.count == 1)
        #expect(sp.decode([sp.unkId]) == " \u{2047} ")
    }

    @Test func outOfRangeIdsAreSkippedWhenDecoding() throws {
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))
        let ids = sp.encode("hello")
        #expect(sp.decode([-1] + ids + [sp.vocabularySize]) == sp.decode(ids))
    }

    // MARK: - Charsmap normalizer

    @Test func charsMapNormalizerAppliesNFKCAndWhitespaceRules() throws {
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))
        #expect(sp.normalize("ＡＢＣ１２３") == "▁ABC123")
        #expect(sp.normalize("ｶﾞ") == "▁ガ")
        #expect(sp.normalize("  a   b  ") == "▁a▁b")
        #expect(sp.normalize("") == "")
        #expect(sp.normalize("   ") == "")
        #expect(sp.normalize("a\u{3000}b") == "▁a▁b")
    }

    @Test func charsMapLookupFindsTheLongestRule() throws {
        // A hand-built double array with the keys "a" -> "X" and "ab" -> "YZ" (Darts-clone unit layout).
        // Units: root (offset 1 -> children at 1 ^ label), 'a' node, leaf for "a", 'b' node, leaf for "ab".
        func unit(label: UInt32, offset: UInt32, hasLeaf: Bool) -> UInt32 {
            label | (hasLeaf ? 1 << 8 : 0) | (offset << 10)
        }
        func leaf(_ value: UInt32) -> UInt32 { value | 0x8000_0000 }
        var units = [UInt32](repeating: 0, count: 256)
        // root at 0: offset 1, so child for byte c is at 1 ^ c.
        units[0] = unit(label: 0, offset: 1, hasLeaf: false)
        let aPos = 1 ^ Int(UInt8(ascii: "a"))               // 96
        // 'a' node: offset 3 -> its leaf at aPos ^ 3, its child 'b' at aPos ^ 3 ^ 'b'.
        units[aPos] = unit(label: UInt32(UInt8(ascii: "a")), offset: 3, hasLeaf: true)
        let aBase = aPos ^ 3
        units[aBase] = leaf(0)                              // value 0 -> pool "X"
        let bPos = aBase ^ Int(UInt8(ascii: "b"))
        units[bPos] = unit(label: UInt32(UInt8(ascii: "b")), offset: 4, hasLeaf: true)
        units[bPos ^ 4] = leaf(2)                           // value 2 -> pool "YZ"
        var blob: [UInt8] = []
        let trieBytes = units.count * 4
        blob += [UInt8(trieBytes & 0xFF), UInt8((trieBytes >> 8) & 0xFF), 0, 0]
        for u in units { blob += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24)] }
        blob += Array("X\0YZ\0".utf8)

        let map = try SentencePieceCharsMap(blob: blob)
        func rule(_ s: String) -> (Int, String)? {
            let bytes = Array(s.utf8)
            return bytes.withUnsafeBufferPointer { buffer in
                map.longestRule(buffer, from: 0, to: buffer.count).map {
                    ($0.consumed, String(decoding: map.pool[$0.replacement], as: UTF8.self))
                }
            }
        }
        let a = try #require(rule("a"))
        #expect(a == (1, "X"))
        let ab = try #require(rule("ab"))
        #expect(ab == (2, "YZ"))
        let abc = try #require(rule("abc"))
        #expect(abc == (2, "YZ"))
        let ac = try #require(rule("ac"))
        #expect(ac == (1, "X"))
        #expect(rule("b") == nil)

        var spec = SentencePieceModelProto.NormalizerSpec()
        spec.precompiledCharsmap = blob
        let normalizer = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: false, userDefined: nil)
        #expect(String(decoding: normalizer.normalize(Array("ab a c".utf8)), as: UTF8.self) == "▁YZ▁X▁c")
        spec.addDummyPrefix = false
        spec.escapeWhitespaces = false
        let plain = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: false, userDefined: nil)
        #expect(String(decoding: plain.normalize(Array("  aab  ".utf8)), as: UTF8.self) == "XYZ")
    }

    @Test func brokenCharsMapIsRejected() throws {
        // A valid blob, then copies broken in the ways Normalizer::Init checks.
        let sp = try SentencePieceProcessor(modelURL: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))
        let blob = sp.model.normalizerSpec.precompiledCharsmap
        #expect(throws: Never.self) { _ = try SentencePieceCharsMap(blob: blob) }
        var unterminated = blob
        unterminated[unterminated.count - 1] = UInt8(ascii: "x")
        #expect(throws: SentencePieceError.self) { _ = try SentencePieceCharsMap(blob: unterminated) }
        var badRoot = blob
        badRoot[4] = 0xFF
        badRoot[5] = 0xFF
        badRoot[6] = 0xFF
        badRoot[7] = 0xFF
        #expect(throws: SentencePieceError.self) { _ = try SentencePieceCharsMap(blob: badRoot) }
        var oddSize = blob
        oddSize[0] = oddSize[0] &+ 4
        #expect(throws: SentencePieceError.self) { _ = try SentencePieceCharsMap(blob: oddSize) }

        var spec = SentencePieceModelProto.NormalizerSpec()
        spec.precompiledCharsmap = [0xFF, 0xFF, 0, 0, 1, 2]
        #expect(throws: SentencePieceError.self) {
            _ = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: false, userDefined: nil)
        }
        spec.precompiledCharsmap = [4, 0, 0]
        #expect(throws: SentencePieceError.self) {
            _ = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: false, userDefined: nil)
        }
    }

    // MARK: - Corrupt models

    @Test func truncatedModelThrows() throws {
        let data = try Data(contentsOf: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))
        for length in [1, 2, 3, 10, 1000, data.count / 2, data.count - 1] {
            #expect(throws: SentencePieceError.self) {
                _ = try SentencePieceProcessor(modelData: data.prefix(length))
            }
        }
    }

    @Test func corruptModelsThrowClearErrors() throws {
        // Garbage bytes: an invalid wire type.
        #expect(throws: SentencePieceError.self) { _ = try SentencePieceProcessor(modelData: Data([0xFF, 0xFF])) }
        // Empty data parses, but has no unknown piece.
        #expect(throws: SentencePieceError.invalidModel("unk is not defined")) {
            _ = try SentencePieceProcessor(modelData: Data())
        }
        // A length prefix that runs past the end.
        #expect(throws: SentencePieceError.self) {
            _ = try SentencePieceProcessor(modelData: Data([0x0A, 0x7F, 0x0A]))
        }
        // Duplicate pieces, and a byte piece without byte_fallback.
        var model = try SentencePieceModelProto(
            serialized: [UInt8](try Data(contentsOf: SentencePieceFixtures.modelURL("unigram_nfkc_4k"))))
        var duplicated = model
        duplicated.pieces[5] = duplicated.pieces[4]
        #expect(throws: SentencePieceError.self) { _ = try SentencePieceProcessor(model: duplicated) }
        model.pieces[5].type = .byte
        #expect(throws: SentencePieceError.self) { _ = try SentencePieceProcessor(model: model) }
        // A missing file.
        #expect(throws: SentencePieceError.self) {
            _ = try SentencePieceProcessor(modelURL: URL(fileURLWithPath: "/nonexistent/file.model"))
        }
    }

    @Test func protobufReaderDecodesWireTypes() throws {
        // field 1 varint 150, field 2 fixed32 1.5f, field 3 bytes "hi", field 4 int32 -1 (10-byte varint).
        var bytes: [UInt8] = [0x08, 0x96, 0x01, 0x15]
        bytes += withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian, Array.init)
        bytes += [0x1A, 0x02, 0x68, 0x69, 0x20] + [UInt8](repeating: 0xFF, count: 9) + [0x01]
        var reader = SentencePieceWireReader(bytes)
        let k1 = try #require(try reader.readKey())
        #expect(k1.field == 1)
        #expect(try reader.readInt32(k1, "a") == 150)
        let k2 = try #require(try reader.readKey())
        #expect(try reader.readFloat(k2, "b") == 1.5)
        let k3 = try #require(try reader.readKey())
        #expect(try reader.readBytes(k3, "c") == Array("hi".utf8))
        let k4 = try #require(try reader.readKey())
        #expect(try reader.readInt32(k4, "d") == -1)
        #expect(try reader.readKey() == nil)
    }
}
