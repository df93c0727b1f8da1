import Foundation
import Tokenizer

/// The shipped default model's folder (the harnesses tokenise with its vocabularies and BPE codes):
/// `$CSANMT_FUZZ_MODEL`, else `Weights/csanmt-zh2en-small` of this checkout.
public let modelFolder: URL = {
    if let path = ProcessInfo.processInfo.environment["CSANMT_FUZZ_MODEL"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../../Weights/csanmt-zh2en-small").standardized
}()

/// A text pipeline from `source` to `target` over the default model's files (zh→en as shipped, or en→zh with the
/// two sides swapped).
public func pipeline(source: String) -> CSANMTTextPipeline {
    let zh = source == "zh"
    do {
        return try CSANMTTextPipeline(
            sourceLanguage: source, targetLanguage: zh ? "en" : "zh",
            srcVocab: modelFolder.appendingPathComponent(zh ? "src_vocab.txt" : "trg_vocab.txt"),
            trgVocab: modelFolder.appendingPathComponent(zh ? "trg_vocab.txt" : "src_vocab.txt"),
            srcBPE: modelFolder.appendingPathComponent(zh ? "bpe.zh" : "bpe.en"), srcVocabSize: 1 << 20)
    } catch {
        fatalError("cannot load the tokenizer files from \(modelFolder.path): \(error)")
    }
}

/// The invariants of the text harnesses, for one input: encoding either gives an error or pieces and ids that
/// agree, output growth is bounded, and detokenising the pieces never fails. A violation traps, which libFuzzer
/// reports as a crash with the input.
public func checkRoundTrip(_ text: String, _ p: CSANMTTextPipeline) {
    guard let encoded = try? p.encode(text) else { return }
    let scalars = text.unicodeScalars.count
    precondition(encoded.pieces.count == encoded.ids.count, "pieces and ids differ in number")
    // BPE splits a word into at most its characters, each with its `@@`; words cap at 100 characters (longer ones
    // are one unknown piece), so pieces grow at most linearly.
    precondition(encoded.pieces.count <= 2 * scalars + 2, "\(encoded.pieces.count) pieces from \(scalars) characters")
    let back = p.detokenize(encoded.pieces.joined(separator: " "))
    precondition(back.unicodeScalars.count <= 4 * scalars + 16, "detokenised text grew to \(back.unicodeScalars.count)")
}
