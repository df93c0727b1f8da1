import ConvertWeightsKit
import Foundation
import NMTEngine
import Testing

/// The engine against ModelScope's TF implementation on tiny random checkpoints in the real format.
@Suite("Parity with ModelScope's TF CSANMT")
struct OracleParityTests {
    @Test("encoder, semantic vector and teacher-forced log-probs within 1e-4", arguments: Fixtures.engineCases)
    func intermediateTensors(_ name: String) throws {
        let expected = try Expected(case: name)
        let (model, tmp) = try Fixtures.convertAndLoad(name)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let probe = try model.probe(expected.sources, targets: expected.trg)
        #expect(probe.encoderOutput.count == expected.encoderOutput.data.count)
        #expect(maxAbsDiff(probe.encoderOutput, expected.encoderOutput.data) < 1e-4)
        #expect(maxAbsDiff(probe.semanticVector, expected.semanticVector.data) < 1e-4)
        #expect(probe.teacherForcedLogProbs.count == expected.logProbs.data.count)
        #expect(maxAbsDiff(probe.teacherForcedLogProbs, expected.logProbs.data) < 1e-4)
    }

    @Test("beam 4 and beam 1, batch-global stop: identical sequences, scores within 1e-4",
          arguments: Fixtures.engineCases)
    func beamSearch(_ name: String) throws {
        let expected = try Expected(case: name)
        let (model, tmp) = try Fixtures.convertAndLoad(name)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (beam, reference) in [(4, expected.beam4), (1, expected.beam1)] {
            let result = try model.translate(expected.sources,
                                             options: DecodingOptions(beamSize: beam, stopping: .wholeBatch))
            #expect(result.count == reference.seqs.count)
            for (b, hyps) in result.enumerated() {
                #expect(hyps.count == beam)
                for (j, hyp) in hyps.enumerated() {
                    let tf = reference.seqs[b][j]
                    let cut = Array(tf.prefix { $0 != 0 })
                    #expect(hyp.tokens == cut, "case \(name) beam \(beam) sentence \(b) hypothesis \(j)")
                    #expect(abs(hyp.score - reference.scores[b][j]) < 1e-4,
                            "case \(name) beam \(beam) sentence \(b) hypothesis \(j): \(hyp.score) vs \(reference.scores[b][j])")
                    // TF pads every hypothesis to the number of steps run, so a finished one has its EOS inside.
                    // Entries below the real finished ones (FMIN-scored fillers) are neither.
                    if hyp.finished || j == 0 { #expect(hyp.finished == (cut.count < tf.count)) }
                }
            }
        }
    }

    @Test("each sentence of a batch decodes as it does alone")
    func batchEqualsSingle() throws {
        let expected = try Expected(case: "batch3")
        let (model, tmp) = try Fixtures.convertAndLoad("batch3")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let batched = try model.translate(expected.sources)
        for (i, source) in expected.sources.enumerated() {
            let single = try model.translate([source])[0]
            #expect(single[0].tokens == batched[i][0].tokens)
            #expect(abs(single[0].score - batched[i][0].score) < 1e-4)
        }
    }

    @Test("stopping each sentence on its own bound: TF's best beam, and every beam of the sentence decoded alone",
          arguments: Fixtures.engineCases)
    func eachSentenceStopping(_ name: String) throws {
        let expected = try Expected(case: name)
        let (model, tmp) = try Fixtures.convertAndLoad(name)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (beam, reference) in [(4, expected.beam4), (1, expected.beam1)] {
            let result = try model.translate(expected.sources, options: DecodingOptions(beamSize: beam))
            #expect(result.count == reference.seqs.count)
            for (b, hyps) in result.enumerated() {
                // The best hypothesis is fixed once the bound is met, so it is TF's for the batch.
                #expect(hyps[0].tokens == Array(reference.seqs[b][0].prefix { $0 != 0 }), "case \(name) sentence \(b)")
                #expect(abs(hyps[0].score - reference.scores[b][0]) < 1e-4)
                // The whole list is what TF's batch-global stop gives for this sentence alone (scores to float
                // rounding: a batch of one runs different matrix shapes).
                let alone = try model.translate([expected.sources[b]],
                                                options: DecodingOptions(beamSize: beam, stopping: .wholeBatch))[0]
                #expect(hyps.map(\.tokens) == alone.map(\.tokens), "case \(name) beam \(beam) sentence \(b)")
                #expect(hyps.map(\.finished) == alone.map(\.finished))
                #expect(zip(hyps, alone).allSatisfy { abs($0.score - $1.score) < 1e-4 })
            }
        }
    }

    @Test("f16 storage loads and keeps the best beam on a tiny model")
    func halfPrecisionStorage() throws {
        let expected = try Expected(case: "prenorm")
        let (model, tmp) = try Fixtures.convertAndLoad("prenorm", storage: .f16)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let probe = try model.probe(expected.sources)
        // f16 rounding (relative 2^-11) on every weight: the encoder output stays close, not identical.
        #expect(maxAbsDiff(probe.encoderOutput, expected.encoderOutput.data) < 5e-2)
        let best = try model.translate(expected.sources).map { $0[0].tokens }
        #expect(best == expected.beam4.seqs.map { Array($0[0].prefix { $0 != 0 }) })
    }
}
