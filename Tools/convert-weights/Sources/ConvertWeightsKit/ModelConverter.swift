import Foundation
import NMTEngine

/// Converts a ModelScope CSANMT folder (`configuration.json`, `tf_ckpts/ckpt-0.*`, vocab and BPE files) into an
/// engine model folder (`config.json`, `model.safetensors`, tokenizer files). See docs/model-format.md.
public struct ModelConverter {
    public var input: URL
    public var output: URL
    public var force = false
    public var storage: SafeTensorsWriter.Storage = .f32

    /// What a conversion did.
    public struct Report: Equatable {
        public let tensors: Int
        public let parameters: Int
        public let bytesWritten: Int
        /// Checkpoint entries that were not read (optimizer slots, step counters…).
        public let skippedEntries: Int
        public let tokenizerFiles: [String]
    }

    public init(input: URL, output: URL, force: Bool = false, storage: SafeTensorsWriter.Storage = .f32) {
        self.input = input
        self.output = output
        self.force = force
        self.storage = storage
    }

    /// Runs the conversion. `progress(doneBytes, totalBytes, tensorName)` is called after each tensor.
    /// The output is written to a temporary sibling folder and moved into place only when complete, so a failed
    /// run never leaves a half-written model or destroys an existing one.
    public func run(progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> Report {
        let fm = FileManager.default
        let configPath = input.appendingPathComponent("configuration.json").path
        guard fm.fileExists(atPath: input.path) else { throw ConversionError.io(file: input.path, reason: "input folder does not exist") }
        if fm.fileExists(atPath: output.path) && !force { throw ConversionError.outputExists(path: output.path) }
        var (config, files) = try ModelScopeConfiguration.load(configPath)
        let reader = try TensorBundleReader(prefix: input.appendingPathComponent("tf_ckpts/ckpt-0").path)

        // Validate every tensor's presence, dtype and shape before reading any data.
        let specs = CheckpointLayout.tensors(for: config)
        for spec in specs {
            let e = try reader.entry(spec.name)
            guard e.dtype == 1 else { throw ConversionError.wrongDType(file: reader.index.path, tensor: spec.name, dtype: e.dtype) }
            guard e.shape == spec.shape else {
                throw ConversionError.shapeMismatch(file: reader.index.path, tensor: spec.name, found: e.shape, expected: spec.shape)
            }
        }

        let staging = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw ConversionError.io(file: staging.path, reason: "cannot create output folder (\(error.localizedDescription))")
        }
        do {
            let report = try write(specs: specs, reader: reader, config: &config, files: files, into: staging, progress: progress)
            if fm.fileExists(atPath: output.path) { try fm.removeItem(at: output) }
            try fm.moveItem(at: staging, to: output)
            return report
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    private func write(specs: [TensorSpec], reader: TensorBundleReader, config: inout ModelConfig,
                       files: ModelScopeConfiguration.Files, into dir: URL,
                       progress: (Int, Int, String) -> Void) throws -> Report {
        let fm = FileManager.default
        let total = specs.reduce(0) { $0 + $1.elementCount * 4 }
        let writer = try SafeTensorsWriter(
            path: dir.appendingPathComponent(config.weights).path, specs: specs, storage: storage,
            metadata: ["format": "pt", "source": "ModelScope CSANMT checkpoint", "converter": "csanmt-swift convert-weights"])
        var done = 0
        for spec in specs {
            try writer.append(spec.name, try reader.readFloats(spec.name))
            done += spec.elementCount * 4
            progress(done, total, spec.name)
        }
        try writer.finish()

        var copied: [String] = []
        func copy(_ name: String) -> String? {
            let from = input.appendingPathComponent(name)
            guard fm.fileExists(atPath: from.path) else { return nil }
            let to = dir.appendingPathComponent(from.lastPathComponent)
            if (try? fm.copyItem(at: from, to: to)) == nil { return nil }
            copied.append(from.lastPathComponent)
            return from.lastPathComponent
        }
        config.tokenizer = .init(srcVocab: copy(files.srcVocab), trgVocab: copy(files.trgVocab),
                                 srcBPE: copy(files.srcBPE), trgBPE: files.trgBPE == files.srcBPE ? nil : copy(files.trgBPE))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(config).write(to: dir.appendingPathComponent("config.json"))
        let used = Set(specs.map(\.name))
        return Report(tensors: specs.count, parameters: specs.reduce(0) { $0 + $1.elementCount },
                      bytesWritten: (try? fm.attributesOfItem(atPath: writer.path)[.size] as? Int) ?? 0,
                      skippedEntries: reader.index.entries.keys.filter { !used.contains($0) }.count,
                      tokenizerFiles: copied)
    }
}
