import ArgumentParser
import Foundation
import NMTEngine

struct TranslateIDs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate-ids",
        abstract: "Translate source id sequences read as JSON lines from stdin.",
        discussion: """
            Each input line is a JSON array of source-vocabulary ids, without </s> (the model appends it), e.g. \
            [5, 17, 42]. All lines are translated as one batch. For each line, one JSON line is written:
              {"beams": [[ids...], ...], "scores": [...]}
            Beams are best first, cut at the first </s> (id 0), which is not included. Scores are ModelScope's \
            length-normalised log-probabilities.

            Like ModelScope, the batch stops when every sentence has met its bound, so every beam equals TF's for \
            the same batch. --stop-each-sentence drops each sentence as soon as it meets its own bound (as \
            `csanmt translate` and the server do): faster, the same best beam, and lower beams equal to TF's for \
            that sentence alone (up to float rounding).
            """)

    @OptionGroup var options: ModelOptions

    @Option(name: .long, help: "Beam width (default: the model's, 4).")
    var beam: Int?

    @Option(name: .customLong("max-length"), help: "Target steps (default: the model's, 100).")
    var maxLength: Int?

    @Option(name: .customLong("length-penalty"), help: "Length-penalty exponent α (default: the model's, 0.6).")
    var lengthPenalty: Float?

    @Flag(name: .customLong("stop-each-sentence"),
          help: "Stop each sentence on its own bound instead of ModelScope's batch-global stop.")
    var stopEachSentence = false

    @Flag(name: .long, help: "Print load and translation seconds to stderr as one JSON line (for benchmarks).")
    var timing = false

    @Option(name: .long, help: ArgumentHelp(
        "Translate the batch this many times before the timed run (for benchmarks).",
        discussion: "Weights are memory-mapped, so the first run also reads them in from the page cache or disk; "
            + "--warmup 1 measures the steady state, as a long-running server sees it."))
    var warmup = 0

    func validate() throws {
        guard (0...100).contains(warmup) else { throw ValidationError("--warmup must be between 0 and 100") }
    }

    func run() throws {
        let sources = try Self.parse(readStdinLines())
        let clock = ContinuousClock()
        let loadStart = clock.now
        let model = try options.load()
        let loaded = clock.now
        let decoding = DecodingOptions(beamSize: beam, lengthPenalty: lengthPenalty, maxLength: maxLength,
                                       stopping: stopEachSentence ? .eachSentence : .wholeBatch)
        let results: [[Hypothesis]]
        var translateStart = clock.now
        do {
            for _ in 0..<warmup { _ = try model.translate(sources, options: decoding) }
            translateStart = clock.now
            results = try model.translate(sources, options: decoding)
        } catch let e as EngineError {
            throw CLIError(message: "\(e)")
        }
        if timing {
            let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
            FileHandle.standardError.write(Data(
                "{\"load_s\": \(seconds(loaded - loadStart)), \"warmup_s\": \(seconds(translateStart - loaded)), \"translate_s\": \(seconds(clock.now - translateStart))}\n".utf8))
        }
        var out = ""
        for hyps in results {
            let beams = hyps.map { "[" + $0.tokens.map(String.init).joined(separator: ", ") + "]" }
            let scores = hyps.map { $0.score.isFinite ? "\($0.score)" : "null" }
            out += "{\"beams\": [\(beams.joined(separator: ", "))], \"scores\": [\(scores.joined(separator: ", "))]}\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// Parses JSON-array lines; errors give the 1-based line number.
    static func parse(_ lines: [String]) throws -> [[Int32]] {
        try lines.enumerated().map { i, line in
            guard let ids = try? JSONDecoder().decode([Int64].self, from: Data(line.utf8)) else {
                throw CLIError(message: "stdin line \(i + 1): expected a JSON array of integer ids, got '\(line.prefix(80))'")
            }
            guard let bad = ids.first(where: { $0 < Int64(Int32.min) || $0 > Int64(Int32.max) }) else {
                return ids.map { Int32($0) }
            }
            throw CLIError(message: "stdin line \(i + 1): id \(bad) is out of range")
        }
    }
}

/// All stdin lines (without their newline). A final empty line from a trailing newline is not a line.
func readStdinLines() -> [String] {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
}
