import ArgumentParser
import Foundation
import NMTEngine
import Server
import Tokenizer
import Translation

struct Translate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Translate text, in either direction the models serve.",
        discussion: """
            Translates TEXT, or each line of stdin when TEXT is absent (one output line per input line). Paragraphs and \
            several sentences per line are fine: text is split into sentences, translated in batches, and reassembled. \
            `<SENT_SPLIT>` separates sentences exactly as in ModelScope's pipeline.

            The direction: --from (default auto: each line's language, zh or en, from its letters) and --to (default: \
            the language the models translate that source into). Without --model, every shipped model in Weights/ is \
            used; --model can be repeated, one folder per direction.

            Examples:
              csanmt translate "今天天气很好。"
              csanmt translate --to zh "The weather is nice today."
              csanmt translate --model Weights/csanmt-zh2en < input.zh > output.en
            """)

    @OptionGroup var options: ModelOptions
    @Argument(help: "Text to translate (default: stdin lines).") var text: String?
    @Option(name: .customLong("from"), help: "Source language, or auto (each line's own).") var from = "auto"
    @Option(name: .customLong("to"), help: "Target language (default: the one served from the source).") var to: String?
    @Option(name: .long, help: "Beam width (default: the model's).") var beam: Int?
    @Flag(name: .customLong("no-split"), help: "Split only at <SENT_SPLIT>, exactly as ModelScope's pipeline does.")
    var noSplit = false

    func run() throws {
        let folders = try options.folders().map { url in
            do { return try ModelFolder(url) } catch { throw CLIError(message: "cannot read the model folder: \(error)") }
        }
        let directions = folders.map { LanguagePair(source: $0.config.sourceLanguage, target: $0.config.targetLanguage) }
        let inputs = text.map { [$0] } ?? readStdinLines()
        // Each line's direction, then one translator per direction used, loaded once.
        let pairs = try inputs.map { try direction(of: $0, served: directions, folders: folders) }
        var outputs = [TranslatedText](repeating: TranslatedText(text: ""), count: inputs.count)
        for pair in Set(pairs).sorted(by: { ($0.source, $0.target) < ($1.source, $1.target) }) {
            let index = directions.firstIndex(of: pair)!
            let translator = try loadTranslator(folders[index].url, options,
                                                vocabularyMap: try options.vocabularyMap(index, of: folders.count))
            let lines = inputs.indices.filter { pairs[$0] == pair }
            do {
                let done = try translator.translateNow(lines.map { inputs[$0] }, options: DecodingOptions(beamSize: beam), splitSentences: !noSplit)
                for (k, i) in lines.enumerated() { outputs[i] = done[k] }
            } catch let e as EngineError {
                throw CLIError(message: "\(e)")
            }
        }
        FileHandle.standardOutput.write(Data(outputs.map { $0.text + "\n" }.joined().utf8))
        let cut = outputs.indices.filter { outputs[$0].truncated }
        if !cut.isEmpty {
            let lines = cut.prefix(10).map { String($0 + 1) }.joined(separator: ", ") + (cut.count > 10 ? ", …" : "")
            FileHandle.standardError.write(Data("warning: the translation of input line(s) \(lines) was cut: decoding ran out of steps before the end of a sentence\n".utf8))
        }
    }

    /// The direction of one line: --from (or its letters, under auto), then --to (or what that source is served into),
    /// as the server chooses (``LanguagePair/requested(source:target:text:served:)``).
    func direction(of line: String, served: [LanguagePair], folders: [ModelFolder]) throws -> LanguagePair {
        if let pair = LanguagePair.requested(source: from, target: to, text: line, served: served), served.contains(pair) {
            return pair
        }
        let target = to?.lowercased()
        let listed = served.map { "\($0.source)→\($0.target)" }.joined(separator: ", ")
        let models = folders.map(\.url.path).joined(separator: ", ")
        guard served.contains(where: { target == nil || $0.target == target }) else {
            throw CLIError(message: "no model translates into \(target ?? "?") (models: \(listed) in \(models)); add one with --model DIR")
        }
        throw CLIError(message: "no model translates \(from.lowercased())→\(target ?? "?") (models: \(listed) in \(models)); add one with --model DIR")
    }
}

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the pipeline's preprocessing of stdin lines as JSON.",
        discussion: """
            For each line: {"words": [...], "pieces": [...], "ids": [...]}: words after jieba segmentation (zh) or \
            Moses normalisation + tokenisation (en), pieces after BPE, ids in that language's vocabulary. Either of the \
            model's languages works; only the tokenizer files are read, never the weights.

            Examples:
              echo "今天天气很好。" | csanmt tokenize --lang zh
              echo "The weather is nice today." | csanmt tokenize --lang en
            """)
    @OptionGroup var options: ModelOptions
    @Option(name: .long, help: "Language of the input: either of the model's languages.") var lang: String

    func run() throws {
        let pipeline = try loadPipeline(try loadFolder(options), source: lang)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var out = ""
        for line in readStdinLines() {
            let e = try pipeline.encode(line)
            struct Line: Encodable { let words: [String]; let pieces: [String]; let ids: [Int32] }
            out += String(decoding: try encoder.encode(Line(words: e.words, pieces: e.pieces, ids: e.ids)), as: UTF8.self) + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

struct Detokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn lines of pieces (with @@ markers) into text.",
        discussion: """
            Each stdin line is space-separated pieces; `@@` joins are removed, then Moses detokenises for --lang. \
            Either of the model's languages works; only the tokenizer files are read, never the weights.

            Example:
              echo "The wea@@ ther is nice today ." | csanmt detokenize --lang en
            """)
    @OptionGroup var options: ModelOptions
    @Option(name: .long, help: "Language of the output: either of the model's languages.") var lang: String

    func run() throws {
        // The pipeline that writes `lang` reads the model's other language.
        let folder = try loadFolder(options)
        guard let other = folder.languages.first(where: { $0 != lang }), folder.languages.contains(lang) else {
            throw CLIError(message: "the model's languages are \(folder.languages.joined(separator: " and ")), not \(lang)")
        }
        let pipeline = try loadPipeline(folder, source: other)
        let out = readStdinLines().map { pipeline.detokenize($0) + "\n" }.joined()
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

/// The model folder's config, without the weights; errors become one line naming the file.
func loadFolder(_ options: ModelOptions) throws -> ModelFolder {
    do { return try ModelFolder(try options.folder()) } catch let e as CLIError { throw e } catch {
        throw CLIError(message: "cannot read the model folder: \(error)")
    }
}

/// The text pipeline reading `source`, from the tokenizer files alone.
func loadPipeline(_ folder: ModelFolder, source: String) throws -> CSANMTTextPipeline {
    guard folder.languages.contains(source) else {
        throw CLIError(message: "the model's languages are \(folder.languages.joined(separator: " and ")), not \(source)")
    }
    do { return try folder.textPipeline(source: source) } catch { throw CLIError(message: "cannot load the tokenizer: \(error)") }
}

/// Loads a model folder and its text pipeline; errors become one line naming the file.
func loadTranslator(_ folder: URL, _ options: ModelOptions, vocabularyMap: URL? = nil) throws -> EngineTranslator {
    do {
        let t = try EngineTranslator(modelDirectory: folder, compute: options.compute, vocabularyMap: vocabularyMap)
        try options.applyThreads(to: t.model.blasLibrary)
        return t
    } catch let e as CLIError {
        throw e
    } catch {
        throw CLIError(message: "cannot load model: \(error)")
    }
}
