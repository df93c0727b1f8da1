import ArgumentParser
import Foundation
import CLISupport
import Translation

/// `csanmt vmap`: builds a vocabulary map (shortlist) from a parallel corpus.
struct VocabularyMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmap",
        abstract: "Build a vocabulary map (--vmap FILE) from a parallel corpus.",
        discussion: """
            For each source piece the map lists the target pieces that co-occur with it most strongly in the corpus
            (Dice coefficient over sentence pairs), plus the most frequent target pieces for every input. Decoding
            with --vmap then scores only those pieces instead of the whole vocabulary: faster, but translations can
            change (docs/benchmarks.md has the measured effect). Never build one from a test set you report on.

            Examples:
              csanmt vmap --source train.zh --target train.en --out zh2en.vmap
              csanmt vmap --pieces --source train.bpe.zh --target train.bpe.en --out zh2en.vmap
              csanmt translate --vmap zh2en.vmap "今天天气很好。"
            """)

    @OptionGroup var options: ModelOptions
    @Option(name: .long, help: ArgumentHelp("Source-language text, one sentence per line.", valueName: "FILE"))
    var source: String
    @Option(name: .long, help: ArgumentHelp("Target-language text, line by line aligned with --source.", valueName: "FILE"))
    var target: String
    @Option(name: .long, help: ArgumentHelp("Where to write the map.", valueName: "FILE")) var out: String
    @Flag(name: .long, help: "The files hold BPE pieces separated by spaces (as Tools/train-default-model writes them), not raw text.")
    var pieces = false
    @Option(name: .long, help: "Target pieces kept per source piece (default 20).") var candidates = 20
    @Option(name: .long, help: "Most frequent target pieces scored for every input (default 500).") var always = 500
    @Option(name: .customLong("min-count"), help: "Sentence pairs a piece pair must share to count (default 2).")
    var minCount = 2
    @Option(name: .long, help: "Read at most this many sentence pairs.") var limit: Int?

    func validate() throws {
        guard candidates >= 1, always >= 0, minCount >= 1, (limit ?? 1) >= 1 else {
            throw ValidationError("--candidates and --min-count must be ≥ 1, --always ≥ 0, --limit ≥ 1")
        }
    }

    func run() throws {
        let folderURL = try options.folder()
        let folder: ModelFolder
        do { folder = try ModelFolder(folderURL) } catch { throw CLIError(message: "cannot read the model folder: \(error)") }
        var builder: VocabularyMapBuilder
        do { builder = try VocabularyMapBuilder(folder: folder) } catch { throw CLIError(message: "cannot load the tokenizers: \(error)") }
        builder.candidatesPerPiece = candidates
        builder.alwaysCount = always
        builder.minCount = minCount
        let sources = try Self.lines(source), targets = try Self.lines(target)
        guard sources.count == targets.count else {
            throw CLIError(message: "\(source) has \(sources.count) lines but \(target) has \(targets.count); the files must be aligned line by line")
        }
        let total = min(sources.count, limit ?? sources.count)
        let progress = ProgressBar(label: "counting", unit: "sentence pairs")
        for i in 0..<total {
            if pieces {
                builder.add(sourcePieces: sources[i], targetPieces: targets[i])
            } else {
                do { try builder.add(source: String(sources[i]), target: String(targets[i])) } catch {
                    throw CLIError(message: "line \(i + 1): \(error)")
                }
            }
            progress.update(done: i + 1, total: total)
        }
        progress.finish()
        do { try builder.fileText().write(toFile: out, atomically: true, encoding: .utf8) } catch {
            throw CLIError(message: "cannot write \(out): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("wrote \(out) from \(builder.sentencePairs) sentence pairs\n".utf8))
    }

    static func lines(_ path: String) throws -> [Substring] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CLIError(message: "cannot read \(path) as UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
