import ArgumentParser
import ConvertWeightsKit
import Foundation

struct ConvertWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-weights",
        abstract: "Convert a ModelScope CSANMT checkpoint into a csanmt-swift model folder.",
        discussion: """
            Reads MODELSCOPE_DIR/configuration.json and MODELSCOPE_DIR/tf_ckpts/ckpt-0.{index,data-*} (TensorFlow's \
            tensor-bundle format, parsed without TensorFlow), selects exactly the inference tensors by name \
            (optimizer slots are skipped unread), checks every shape against the config and every tensor's crc32c, \
            and writes MODEL_DIR/config.json, MODEL_DIR/model.safetensors and the tokenizer files \
            (src/trg vocab, BPE codes).

            Example:
              convert-weights --input ~/models/nlp_csanmt_translation_zh2en --output Weights/csanmt-zh2en
              csanmt inspect --model Weights/csanmt-zh2en
            """)

    @Option(name: .long, help: ArgumentHelp("ModelScope model folder (holds configuration.json and tf_ckpts/).", valueName: "MODELSCOPE_DIR"))
    var input: String

    @Option(name: .long, help: ArgumentHelp("Model folder to create.", valueName: "MODEL_DIR"))
    var output: String

    @Flag(name: .long, help: "Replace MODEL_DIR if it exists (it is replaced only after a successful conversion).")
    var force = false

    @Option(name: .long, help: "Weight storage: f32 (exact), f16 (half the size; widened to f32 at load) or int8 (a quarter; matrices and embeddings quantized per output row, for csanmt --compute int8).")
    var storage: SafeTensorsWriter.Storage = .f32

    func run() throws {
        let converter = ModelConverter(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output),
                                       force: force, storage: storage)
        let bar = ProgressBar(label: "converting")
        let start = Date()
        do {
            let report = try converter.run { done, total, _ in bar.update(done: done, total: total) }
            bar.finish()
            let seconds = Date().timeIntervalSince(start)
            print("""
                wrote \(output): \(report.tensors) tensors, \(report.parameters) parameters, \
                \(report.bytesWritten) bytes (\(storage.rawValue)) in \(String(format: "%.1f", seconds)) s
                skipped \(report.skippedEntries) other checkpoint entries (optimizer slots, counters)
                tokenizer files: \(report.tokenizerFiles.isEmpty ? "none found" : report.tokenizerFiles.joined(separator: ", "))
                """)
        } catch let error as ConversionError {
            bar.finish()
            throw Failure(message: error.description)
        }
    }
}

extension SafeTensorsWriter.Storage: ExpressibleByArgument {}

/// A conversion error, printed as one line (without the usage text ArgumentParser adds to validation errors).
struct Failure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A one-line progress bar on stderr; redraws in place on a terminal, prints every 10% otherwise.
final class ProgressBar {
    let label: String
    private let isTTY = isatty(STDERR_FILENO) != 0
    private var lastDecile = -1
    private var lastDraw = Date.distantPast
    private let start = Date()

    init(label: String) { self.label = label }

    func update(done: Int, total: Int) {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let mb = { (b: Int) in String(format: "%.1f", Double(b) / 1_048_576) }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / 1_048_576 / elapsed : 0
        if isTTY {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data(
                "\r\(label) [\(bar)] \(Int(fraction * 100))% \(mb(done))/\(mb(total)) MiB \(String(format: "%.0f", rate)) MiB/s".utf8))
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            FileHandle.standardError.write(Data("\(label): \(decile * 10)% (\(mb(done))/\(mb(total)) MiB)\n".utf8))
        }
    }

    func finish() { if isTTY { FileHandle.standardError.write(Data("\n".utf8)) } }
}

ConvertWeights.main()
