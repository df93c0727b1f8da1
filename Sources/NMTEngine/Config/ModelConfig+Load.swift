import Foundation

extension ModelConfig {
    /// Reads and validates `directory/config.json` alone (no weights): what the tokenizer-only commands and the
    /// text pipeline need. Errors name the file at fault.
    public static func load(directory: URL) throws -> ModelConfig {
        let configURL = directory.appendingPathComponent("config.json")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw EngineError.modelFile(path: directory.path, reason: "model folder does not exist")
        }
        let data: Data
        do { data = try Data(contentsOf: configURL) } catch {
            throw EngineError.modelFile(path: configURL.path, reason: "cannot read (missing config.json?)")
        }
        let config: ModelConfig
        do { config = try JSONDecoder().decode(ModelConfig.self, from: data) } catch {
            throw EngineError.modelFile(path: configURL.path, reason: "invalid config: \(CSANMTModel.describe(error))")
        }
        try config.validate()
        return config
    }
}
