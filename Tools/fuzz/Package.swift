// swift-tools-version: 6.0
// Coverage-guided fuzzing of the parsers that read untrusted bytes (see README.md). Built with
// `-sanitize=fuzzer,address` by ./run, never by the main package's `swift build`. Each harness is an ordinary
// executable whose top-level code hands libFuzzer its callback (LLVMFuzzerRunDriver).
import PackageDescription

let package = Package(
    name: "csanmt-fuzz",
    dependencies: [.package(name: "csanmt-swift", path: "../..")],
    targets: [
        // Helpers shared by the harnesses: the shipped model's tokenizer files, invariants.
        .target(name: "FuzzSupport", dependencies: [.product(name: "Tokenizer", package: "csanmt-swift")]),
        // Chinese text → jieba → BPE → ids, and the pieces back through detokenisation.
        .executableTarget(name: "fuzz-text-zh", dependencies: ["FuzzSupport", .product(name: "Tokenizer", package: "csanmt-swift")]),
        // English text → Moses normalise/tokenise → BPE → ids, and back.
        .executableTarget(name: "fuzz-text-en", dependencies: ["FuzzSupport", .product(name: "Tokenizer", package: "csanmt-swift")]),
        // Any bytes as a SentencePiece model (protobuf), then encode and decode with it.
        .executableTarget(name: "fuzz-sentencepiece", dependencies: ["FuzzSupport", .product(name: "Tokenizer", package: "csanmt-swift")]),
        // Any bytes as a safetensors file, then every tensor read.
        .executableTarget(name: "fuzz-safetensors", dependencies: ["FuzzSupport", .product(name: "NMTEngine", package: "csanmt-swift")]),
    ]
)
