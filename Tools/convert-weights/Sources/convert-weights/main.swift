import ArgumentParser
import CLISupport
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
        let mib = { (b: Int) in String(format: "%.1f", Double(b) / 1_048_576) }
        let bar = ProgressBar(label: "converting", amount: { "\(mib($0))/\(mib($1)) MiB" },
                              rate: { String(format: "%.0f MiB/s", $0 / 1_048_576) })
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

ConvertWeights.main()
