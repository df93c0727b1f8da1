import FuzzSupport
import Tokenizer

/// The zh text pipeline on arbitrary UTF-8 (invalid bytes become U+FFFD, as the server decodes request text).
let textPipeline = pipeline(source: "zh")

runFuzzer { data, size in
    checkRoundTrip(String(decoding: bytes(data, size), as: UTF8.self), textPipeline)
    return 0
}
