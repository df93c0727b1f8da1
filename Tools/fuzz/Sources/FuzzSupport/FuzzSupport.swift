import Foundation
import Tokenizer

/// libFuzzer's entry for a program with its own `main` (SwiftPM gives every executable one): runs the fuzzing loop
/// with `callback` on the process's arguments (corpus folders and `-flags`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// Runs libFuzzer with `callback` (one input's bytes and length; returns 0) and exits with its status.
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// The input as a buffer (libFuzzer passes a null pointer for the empty input).
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
}

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
        FileHandle.standardError.write(Data("cannot load the tokenizer files from \(modelFolder.path) (set CSANMT_FUZZ_MODEL): \(error)\n".utf8))
        exit(2)
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
