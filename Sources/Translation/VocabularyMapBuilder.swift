import Foundation
import NMTEngine
import Tokenizer

/// Builds a vocabulary map (``VocabularyMap``) from a parallel corpus, with the model folder's own tokenizers.
///
/// For every source piece it keeps the target pieces that co-occur with it most strongly, by the Dice coefficient
/// 2·c(s,t) / (c(s) + c(t)) over sentence pairs (each piece counted once per sentence), among pairs seen at least
/// `minCount` times; and it lists the `always` most frequent target pieces for every input. Counting pairs is
/// quadratic in sentence length, so sentences are cut at `maxPieces` pieces.
public struct VocabularyMapBuilder {
    public var candidatesPerPiece = 20
    public var alwaysCount = 500
    public var minCount = 2
    public var maxPieces = 100

    private let source: CSANMTTextPipeline
    private let target: CSANMTTextPipeline
    private var sourceCount: [Int32: Int] = [:]
    private var targetCount: [Int32: Int] = [:]
    private var pairCount: [Int64: Int32] = [:]
    public private(set) var sentencePairs = 0

    /// `folder`'s pipeline for its source language, and the target side's BPE for its target language.
    public init(folder: ModelFolder) throws {
        source = try folder.textPipeline(source: folder.config.sourceLanguage)
        target = try folder.textPipeline(source: folder.config.targetLanguage)
    }

    /// Counts one sentence pair of raw text, tokenised with the model's pipelines.
    public mutating func add(source s: String, target t: String) throws {
        add(sourceIDs: try source.encode(s).ids, targetIDs: try target.encode(t).ids)
    }

    /// Counts one sentence pair already split into BPE pieces (space-separated, `@@` kept), as the training
    /// recipe's `train.bpe.*` files hold them.
    public mutating func add(sourcePieces s: Substring, targetPieces t: Substring) {
        add(sourceIDs: s.split(separator: " ").map { source.sourceID(String($0)) },
            targetIDs: t.split(separator: " ").map { target.sourceID(String($0)) })
    }

    private mutating func add(sourceIDs: [Int32], targetIDs: [Int32]) {
        // Unknown pieces (all one id) carry no lexical information.
        let src = Set(sourceIDs.prefix(maxPieces)).subtracting([source.unknownPieceID])
        let trg = Set(targetIDs.prefix(maxPieces)).subtracting([target.unknownPieceID])
        sentencePairs += 1
        for id in src { sourceCount[id, default: 0] += 1 }
        for id in trg { targetCount[id, default: 0] += 1 }
        for a in src {
            for b in trg { pairCount[Int64(a) << 32 | Int64(b), default: 0] += 1 }
        }
    }

    /// The map file's text (see ``VocabularyMap`` for the format).
    public func fileText() -> String {
        var best: [Int32: [(Int32, Double)]] = [:]
        for (key, c) in pairCount where Int(c) >= minCount {
            let s = Int32(truncatingIfNeeded: key >> 32), t = Int32(truncatingIfNeeded: key & 0xffff_ffff)
            let dice = 2 * Double(c) / Double(sourceCount[s, default: 0] + targetCount[t, default: 0])
            best[s, default: []].append((t, dice))
        }
        let always = targetCount.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(alwaysCount).map(\.key)
        var lines = ["# csanmt vocabulary map: \(sentencePairs) sentence pairs, \(candidatesPerPiece) candidates per piece (Dice), \(alwaysCount) always",
                     "\t" + always.map(target.sourcePiece).joined(separator: " ")]
        for s in best.keys.sorted() {
            let top = best[s]!.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(candidatesPerPiece)
            lines.append(source.sourcePiece(s) + "\t" + top.map { target.sourcePiece($0.0) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
