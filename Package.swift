// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "csanmt-swift",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "NMTEngine", targets: ["NMTEngine"]),
        .library(name: "Tokenizer", targets: ["Tokenizer"]),
        .library(name: "Translation", targets: ["Translation"]),
        // Libraries only for Tools/fuzz (a separate package, built with sanitizers), which fuzzes their parsers.
        .library(name: "Server", targets: ["Server"]),
        .library(name: "ConvertWeightsKit", targets: ["ConvertWeightsKit"]),
        .executable(name: "csanmt", targets: ["csanmt"]),
        .executable(name: "convert-weights", targets: ["convert-weights"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Inference engine: ids in, beams out. OpenBLAS is loaded at run time (see BLAS/OpenBLASLoader.swift),
        // so that the right CPU kernel can be chosen before the library initialises.
        // oneDNN from Debian (libdnnl-dev) runs the int8 products (`--compute int8`).
        .target(name: "NMTEngine", dependencies: ["CDNNL"], path: "Sources/NMTEngine"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // Text pipeline: jieba segmentation, Moses normalize/tokenize/detokenize, subword-nmt BPE, SentencePiece.
        // Text in, ids out (and back); never sees tensors.
        .target(name: "Tokenizer", path: "Sources/Tokenizer", resources: [.copy("Resources")]),
        // TF tensor-bundle reader and the ModelScope -> model-folder conversion, shared by the CLI and the tests.
        .target(name: "ConvertWeightsKit", dependencies: ["NMTEngine"], path: "Tools/convert-weights/Sources/ConvertWeightsKit"),
        // Progress bars and other terminal helpers shared by the command-line tools.
        .target(name: "CLISupport", path: "Sources/CLISupport"),
        .executableTarget(
            name: "convert-weights",
            dependencies: ["ConvertWeightsKit", "CLISupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/convert-weights/Sources/convert-weights"),
        // hiredis from Debian (libhiredis-dev): the Redis client behind shared quotas and the shared cache.
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // Text in, text out: model folders, the text pipeline around the engine, sentence splitting and chunking,
        // and the batch scheduler that shares the engine fairly between tenants. Never sees HTTP.
        .target(
            name: "Translation",
            dependencies: ["NMTEngine", "Tokenizer", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Translation"),
        // HTTP service: tenants, keys, JWT, scopes, IP allow-lists, audit, admin. Sees only Translation's protocol:
        // never ids or tensors.
        .target(
            name: "Server",
            dependencies: [
                "Translation", "CHiredis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // The shared store of a cluster (`--db postgres://…`): tenants, keys, secrets and the audit trail.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Native TLS (`--tls-cert`/`--tls-key`): BoringSSL through SwiftNIO, reloaded on SIGHUP.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Server",
            resources: [.copy("Resources")]),
        .executableTarget(
            name: "csanmt",
            dependencies: ["NMTEngine", "Tokenizer", "Translation", "Server", "CLISupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/csanmt"),
        .testTarget(
            name: "NMTEngineTests",
            dependencies: ["NMTEngine", "ConvertWeightsKit"],
            path: "Tests/NMTEngineTests"),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Translation", "ConvertWeightsKit", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),   // the store tests' own schemas
                .product(name: "X509", package: "swift-certificates"),   // test certificates made at test time
            ],
            path: "Tests/ServerTests"),
        .testTarget(
            name: "TranslationTests",
            dependencies: ["Translation", "NMTEngine", "Tokenizer", "ConvertWeightsKit"],
            path: "Tests/TranslationTests"),
        .testTarget(
            name: "TokenizerTests",
            dependencies: ["Tokenizer"],
            path: "Tests/TokenizerTests"),
    ]
)
