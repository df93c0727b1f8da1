import ArgumentParser
import Foundation
import NMTEngine

/// Options shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Model folder made by convert-weights (default: $CSANMT_MODEL, else the shipped \(DefaultModel.name)).",
        valueName: "DIR"))
    var model: String?

    @Option(name: .long, help: "Worker threads for the large matrix products (default: one per core).")
    var threads: Int?

    /// Applies `--threads` to the loaded BLAS library.
    func applyThreads(to blas: OpenBLAS) throws {
        guard let threads else { return }
        guard threads >= 1 else { throw CLIError(message: "--threads must be ≥ 1") }
        blas.threads = threads
    }

    /// Loads the model; errors become one clear line naming the file at fault.
    func load() throws -> CSANMTModel {
        do {
            let m = try CSANMTModel(directory: try DefaultModel.resolve(model))
            try applyThreads(to: m.blasLibrary)
            return m
        } catch let e as EngineError {
            throw CLIError(message: "cannot load model: \(e)")
        }
    }
}

/// Finds the model folder when `--model` is not given.
enum DefaultModel {
    static let name = "csanmt-zh2en-small"

    /// `explicit`, else `$CSANMT_MODEL`, else `Weights/csanmt-zh2en-small` next to the working directory or the
    /// source tree the binary was built in (`.build/<config>/csanmt` → `../../Weights`).
    static func resolve(_ explicit: String?) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = ProcessInfo.processInfo.environment["CSANMT_MODEL"], !env.isEmpty { return URL(fileURLWithPath: env) }
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

/// An error printed as-is, exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
