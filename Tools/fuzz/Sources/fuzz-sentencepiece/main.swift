import FuzzSupport
import Tokenizer

/// Any bytes as a SentencePiece model: an error or a model that encodes and decodes, never a trap, a hang or a
/// huge allocation.
runFuzzer { data, size in
    guard let proto = try? SentencePieceModelProto(serialized: Array(bytes(data, size))),
          let processor = try? SentencePieceProcessor(model: proto) else { return 0 }
    for text in ["Hello world.", "今天天气很好。", "a\u{0}b  c", ""] {
        let ids = processor.encode(text)
        _ = processor.encodeAsPieces(text)
        _ = processor.decode(ids)
    }
    return 0
}
