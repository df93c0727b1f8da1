import ArgumentParser
import Foundation
import NMTEngine

/// Options shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Model folder made by convert-weights.", valueName: "DIR"))
    var model: String

    @Option(name: .long, help: "BLAS threads per call (default: OpenBLAS's choice, one per core).")
    var threads: Int?

    /// Loads the model; errors become one clear line naming the file at fault.
    func load() throws -> CSANMTModel {
        do {
            let m = try CSANMTModel(directory: URL(fileURLWithPath: model))
            if let threads {
                guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
                m.blasLibrary.threads = threads
            }
            return m
        } catch let e as EngineError {
            throw CLIError(message: "cannot load model: \(e)")
        }
    }
}

/// An error printed as-is, exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
