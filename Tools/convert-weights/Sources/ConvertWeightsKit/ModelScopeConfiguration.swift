import Foundation
import NMTEngine

/// Reads a ModelScope CSANMT `configuration.json` and maps it to the engine's ``ModelConfig``.
public enum ModelScopeConfiguration {
    /// The tokenizer file names the ModelScope folder declares (falling back to the released layout).
    public struct Files: Equatable {
        public var srcVocab = "src_vocab.txt"
        public var trgVocab = "trg_vocab.txt"
        public var srcBPE: String
        public var trgBPE: String
    }

    /// Parses `path` into the engine config and the tokenizer file names. Throws `unsupportedConfig` naming the
    /// file for anything the engine cannot run (the error says which key).
    public static func load(_ path: String) throws -> (ModelConfig, Files) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConversionError.io(file: path, reason: "cannot read configuration.json")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConversionError.unsupportedConfig(file: path, reason: "not a JSON object")
        }
        guard let model = root["model"] as? [String: Any] else {
            throw ConversionError.unsupportedConfig(file: path, reason: "no 'model' section")
        }
        func fail(_ why: String) -> ConversionError { .unsupportedConfig(file: path, reason: why) }
        func int(_ key: String) throws -> Int {
            guard let v = model[key] as? NSNumber else { throw fail("model.\(key) is missing or not a number") }
            return v.intValue
        }
        func string(_ key: String, default d: String? = nil) throws -> String {
            if let v = model[key] as? String { return v }
            if let d { return d }
            throw fail("model.\(key) is missing or not a string")
        }
        func flag(_ key: String) -> Bool? { (model[key] as? NSNumber)?.boolValue }
        if let type = model["type"] as? String, type != "csanmt-translation" {
            throw fail("model.type is '\(type)'; only 'csanmt-translation' is supported")
        }
        if flag("shared_embedding_and_softmax_weights") == false || flag("shared_source_target_embedding") == false {
            throw fail("only shared source/target/softmax embeddings are supported")
        }
        let position = try string("position_info_type", default: "absolute")
        guard position == "absolute" else { throw fail("model.position_info_type '\(position)' (only 'absolute')") }
        for key in ["attention_dropout", "residual_dropout", "relu_dropout"] {
            if let v = (model[key] as? NSNumber)?.doubleValue, v != 0 {
                FileHandle.standardError.write(Data("note: \(key)=\(v) in \(path) is ignored (inference uses no dropout)\n".utf8))
            }
        }
        let pre = root["preprocessor"] as? [String: Any] ?? [:]
        let dataset = root["dataset"] as? [String: Any] ?? [:]
        func file(_ section: [String: Any], _ key: String) -> String? { (section[key] as? [String: Any])?["file"] as? String }
        let src = pre["src_lang"] as? String ?? "zh", tgt = pre["tgt_lang"] as? String ?? "en"
        let files = Files(srcVocab: file(dataset, "src_vocab") ?? "src_vocab.txt",
                          trgVocab: file(dataset, "trg_vocab") ?? "trg_vocab.txt",
                          srcBPE: file(pre, "src_bpe") ?? "bpe.\(src)", trgBPE: file(pre, "tgt_bpe") ?? "bpe.\(tgt)")
        var config = ModelConfig(
            sourceLanguage: src, targetLanguage: tgt, hiddenSize: try int("hidden_size"), filterSize: try int("filter_size"),
            numHeads: try int("num_heads"), numEncoderLayers: try int("num_encoder_layers"),
            numDecoderLayers: try int("num_decoder_layers"), numSemanticEncoderLayers: try int("num_semantic_encoder_layers"),
            srcVocabSize: try int("src_vocab_size"), trgVocabSize: try int("trg_vocab_size"),
            layerPreproc: try string("layer_preproc"), layerPostproc: try string("layer_postproc"),
            maxRelativeDis: try int("max_relative_dis"))
        config.decoding = .init(beamSize: (model["beam_size"] as? NSNumber)?.intValue ?? 4,
                                lengthPenalty: (model["lp_rate"] as? NSNumber)?.floatValue ?? 0.6,
                                maxLength: (model["max_decoded_trg_len"] as? NSNumber)?.intValue ?? 100)
        do { try config.validate() } catch let e as EngineError { throw fail(e.description) }
        return (config, files)
    }
}
