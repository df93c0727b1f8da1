import ArgumentParser
import Foundation
import NMTEngine
import Translation

/// Options shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Model folder made by convert-weights; translate and serve take several, one per direction (default: $CSANMT_MODEL, else the shipped models in Weights/).",
        valueName: "DIR"))
    var model: [String] = []

    /// The one model folder of a single-model command: --model, else the default.
    func folder() throws -> URL {
        guard model.count <= 1 else { throw CLIError(message: "this command takes one --model, not \(model.count)") }
        return try DefaultModel.resolve(model.first)
    }

    /// The folders given with --model, else every shipped model found (see ``DefaultModel``).
    func folders() throws -> [URL] {
        model.isEmpty ? try DefaultModel.shipped() : model.map { URL(fileURLWithPath: $0) }
    }

    @Option(name: .long, help: "Worker threads for the large matrix products (default: one per core).")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "float32 (ModelScope's exact beams, OpenBLAS) or int8 (oneDNN; float weights are quantized at load: a quarter of the weight bytes per step, translations may differ slightly). Default: the weights' own type (int8 for a folder converted with --storage int8).",
        valueName: "TYPE"))
    var compute: ComputeType?

    @Option(name: .long, help: ArgumentHelp(
        "Vocabulary map: score only the target pieces it lists for the input's pieces (faster; translations may change). Build one with `csanmt vmap`. With several models, give one per --model, in the same order.",
        valueName: "FILE"))
    var vmap: [String] = []

    /// The vocabulary map of the `index`-th of `count` model folders: none, or one per folder in order.
    func vocabularyMap(_ index: Int, of count: Int) throws -> URL? {
        try VocabularyMapOption.pick(vmap, index, of: count)
    }

    /// Applies `--threads` to the loaded BLAS library.
    func applyThreads(to blas: OpenBLAS) throws {
        guard let threads else { return }
        guard threads >= 1 else { throw CLIError(message: "--threads must be ≥ 1") }
        blas.threads = threads
    }

    /// Loads the model; errors become one clear line naming the file at fault.
    func load() throws -> CSANMTModel {
        do {
            let dir = try folder()
            let shortlist = try VocabularyMap.shortlist(try vocabularyMap(0, of: 1), modelDirectory: dir)
            let m = try CSANMTModel(directory: dir, compute: compute, shortlist: shortlist)
            try applyThreads(to: m.blasLibrary)
            return m
        } catch let e as EngineError {
            throw CLIError(message: "cannot load model: \(e)")
        } catch let e as VocabularyMapError {
            throw CLIError(message: "cannot load the vocabulary map: \(e)")
        }
    }
}

/// Finds the model folder when `--model` is not given.
enum DefaultModel {
    static let name = "csanmt-zh2en-small"
    /// The shipped models, the default direction first.
    static let shippedNames = [name, "csanmt-en2zh-small"]

    /// `explicit`, else `$CSANMT_MODEL`, else `Weights/csanmt-zh2en-small` next to the working directory or the
    /// source tree the binary was built in (`.build/<config>/csanmt` → `../../Weights`).
    static func resolve(_ explicit: String?) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = ProcessInfo.processInfo.environment["CSANMT_MODEL"], let first = env.split(separator: ",").first {
            return URL(fileURLWithPath: String(first))
        }
        return try find(name)
    }

    /// `$CSANMT_MODEL` (one folder, or several separated by commas), else every shipped model that is present.
    static func shipped() throws -> [URL] {
        if let env = ProcessInfo.processInfo.environment["CSANMT_MODEL"], !env.isEmpty {
            return env.split(separator: ",").map { URL(fileURLWithPath: String($0)) }
        }
        let found = shippedNames.compactMap { try? find($0) }
        return found.isEmpty ? [try find(name)] : found
    }

    /// The shipped folder `name`, looked for next to the working directory, the binary, or an installed share/.
    static func find(_ name: String) throws -> URL {
        let invoked = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let resolved = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Weights/\(name)"),
            invoked.appendingPathComponent("../../Weights/\(name)").standardized,          // .build/release/csanmt
            resolved.appendingPathComponent("../../../Weights/\(name)").standardized,      // .build/<triple>/release/csanmt
            resolved.appendingPathComponent("../share/csanmt/\(name)").standardized,       // installed: bin/ + share/
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("config.json").path) }) else {
            throw CLIError(message: "no model found: pass --model DIR or set CSANMT_MODEL (looked in \(candidates.map(\.path).joined(separator: ", ")))")
        }
        return found
    }
}

extension ComputeType: ExpressibleByArgument {}

/// `--vmap FILE`, repeatable: none, or one per model folder in the folders' order.
enum VocabularyMapOption {
    static func pick(_ files: [String], _ index: Int, of count: Int) throws -> URL? {
        guard !files.isEmpty else { return nil }
        guard files.count == count else {
            throw CLIError(message: "\(files.count) --vmap file(s) for \(count) model(s): give one per --model, in the same order")
        }
        return URL(fileURLWithPath: files[index])
    }
}

/// An error printed as-is, exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
