// swift-tools-version: 6.0
// Coverage-guided fuzzing of the parsers that read untrusted bytes (see README.md). Built with
// `-sanitize=fuzzer,address` by ./run, never by the main package's `swift build`. Each harness is an ordinary
// executable whose top-level code hands libFuzzer its callback (LLVMFuzzerRunDriver).
import PackageDescription

let package = Package(
    name: "csanmt-fuzz",
    dependencies: [
        .package(name: "csanmt-swift", path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),   // HMAC for tokens signed in fuzz-jwt
    ],
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
        // Any bytes as a TF tensor bundle (index + data shard), raw or wrapped in valid blocks, then every tensor read.
        .executableTarget(name: "fuzz-tf-bundle", dependencies: ["FuzzSupport", .product(name: "ConvertWeightsKit", package: "csanmt-swift")]),
        // Any bytes as a request body through the native JSON decoders and the drop-in APIs' parameter parsing.
        // (`@testable import Server`: ./run builds with -enable-testing, so the decoders stay internal.)
        .executableTarget(name: "fuzz-request", dependencies: ["FuzzSupport", .product(name: "Server", package: "csanmt-swift")]),
        // Bearer tokens: unsigned, altered, or signed by a tenant with any header and payload, through verification.
        .executableTarget(name: "fuzz-jwt", dependencies: [
            "FuzzSupport", .product(name: "Server", package: "csanmt-swift"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
