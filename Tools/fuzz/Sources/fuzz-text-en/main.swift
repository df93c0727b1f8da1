import FuzzSupport
import Tokenizer

/// The en text pipeline on arbitrary UTF-8 (invalid bytes become U+FFFD, as the server decodes request text).
let textPipeline = pipeline(source: "en")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    checkRoundTrip(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self), textPipeline)
    return 0
}
