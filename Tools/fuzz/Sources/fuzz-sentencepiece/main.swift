import Tokenizer

/// Any bytes as a SentencePiece model: an error or a model that encodes and decodes, never a trap, a hang or a
/// huge allocation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let proto = try? SentencePieceModelProto(serialized: bytes),
          let processor = try? SentencePieceProcessor(model: proto) else { return 0 }
    for text in ["Hello world.", "今天天气很好。", "a\u{0}b  c", ""] {
        let ids = processor.encode(text)
        _ = processor.encodeAsPieces(text)
        _ = processor.decode(ids)
    }
    return 0
}
