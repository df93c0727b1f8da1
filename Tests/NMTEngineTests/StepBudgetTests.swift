import Foundation
import NMTEngine
import Testing

/// Step budgets that grow with the source (``DecodingOptions/LengthScaling``): a sentence whose budget is the fixed
/// `max_length` decodes exactly as ModelScope's fixed budget, whatever else shares its batch; a longer budget is
/// really used.
@Suite("Decoding step budgets")
struct StepBudgetTests {
    @Test("a scaled budget equal to max_length gives ModelScope's beams and scores exactly", arguments: Fixtures.engineCases)
    func scaledEqualsFixed(_ name: String) throws {
        let expected = try Expected(case: name)
        let (model, tmp) = try Fixtures.convertAndLoad(name)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let fixedSteps = model.config.decoding.maxLength
        let fixed = try model.translate(expected.sources)
        // max(1, 0 × n + max_length) = max_length for every sentence.
        let scaled = try model.translate(expected.sources,
                                         options: DecodingOptions(maxLength: 1, lengthScaling: .init(ratio: 0, extra: fixedSteps)))
        #expect(scaled == fixed, "case \(name)")
        // The fixed budget of 1 step really cuts: at most one token, and unfinished unless it was </s>.
        let cut = try model.translate(expected.sources, options: DecodingOptions(maxLength: 1))
        #expect(cut.allSatisfy { $0.allSatisfy { $0.tokens.count <= 1 } })
        #expect(cut.contains { !$0[0].finished } || fixed.allSatisfy { $0[0].tokens.isEmpty })
    }

    @Test("in a batch with a long source, the others keep their fixed-budget beams; the long one gets more steps")
    func perSentenceBudgets() throws {
        let expected = try Expected(case: "batch3")
        let (model, tmp) = try Fixtures.convertAndLoad("batch3")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let steps = model.config.decoding.maxLength
        // Each source fits max_length at ratio 1; the added one needs 3 × max_length.
        #expect(expected.sources.allSatisfy { $0.count <= steps })
        let long = Array(repeating: expected.sources[0], count: 3 * steps / max(1, expected.sources[0].count) + 1).flatMap { $0 }
        let limit = model.config.maxSourceLength
        let source = Array(long.prefix(min(limit, long.count)))
        let scaling = DecodingOptions.LengthScaling(ratio: 1, extra: 0)
        let mixed = try model.translate(expected.sources + [source], options: DecodingOptions(lengthScaling: scaling))
        let fixed = try model.translate(expected.sources)
        for b in expected.sources.indices {
            #expect(mixed[b].map(\.tokens) == fixed[b].map(\.tokens), "sentence \(b)")
            #expect(mixed[b].map(\.finished) == fixed[b].map(\.finished))
            #expect(zip(mixed[b], fixed[b]).allSatisfy { abs($0.score - $1.score) < 1e-4 })
        }
        // The long source's budget is its length: a hypothesis may run past max_length.
        let alone = try model.translate([source], options: DecodingOptions(lengthScaling: scaling))[0]
        #expect(mixed.last!.map(\.tokens) == alone.map(\.tokens))
        let fixedLong = try model.translate([source])[0]
        #expect(fixedLong.allSatisfy { $0.tokens.count <= steps })
        if source.count > steps, !fixedLong[0].finished {
            #expect(alone.contains { $0.tokens.count > steps } || alone[0].finished, "the scaled budget was not used")
        }
    }

    @Test("length scaling rejects a ratio that is not finite or below 0")
    func invalidScaling() throws {
        let (model, tmp) = try Fixtures.convertAndLoad("prenorm")
        defer { try? FileManager.default.removeItem(at: tmp) }
        for scaling in [DecodingOptions.LengthScaling(ratio: .nan, extra: 0), .init(ratio: -1, extra: 0), .init(ratio: 1, extra: -5)] {
            #expect(throws: EngineError.self) { try model.translate([[5, 6]], options: DecodingOptions(lengthScaling: scaling)) }
        }
    }
}
