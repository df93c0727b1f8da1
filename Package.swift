// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "csanmt-swift",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "NMTEngine", targets: ["NMTEngine"]),
        .library(name: "Tokenizer", targets: ["Tokenizer"]),
        .executable(name: "csanmt", targets: ["csanmt"]),
        .executable(name: "convert-weights", targets: ["convert-weights"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Inference engine: ids in, beams out. OpenBLAS is loaded at run time (see BLAS/OpenBLASLoader.swift),
        // so that the right CPU kernel can be chosen before the library initialises.
        .target(name: "NMTEngine", path: "Sources/NMTEngine"),
        // Text pipeline: jieba segmentation, Moses normalize/tokenize/detokenize, subword-nmt BPE, SentencePiece.
        // Text in, ids out (and back); never sees tensors.
        .target(name: "Tokenizer", path: "Sources/Tokenizer", resources: [.copy("Resources")]),
        // TF tensor-bundle reader and the ModelScope -> model-folder conversion, shared by the CLI and the tests.
        .target(name: "ConvertWeightsKit", dependencies: ["NMTEngine"], path: "Tools/convert-weights/Sources/ConvertWeightsKit"),
        .executableTarget(
            name: "convert-weights",
            dependencies: ["ConvertWeightsKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/convert-weights/Sources/convert-weights"),
        .executableTarget(
            name: "csanmt",
            dependencies: ["NMTEngine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/csanmt"),
        .testTarget(
            name: "NMTEngineTests",
            dependencies: ["NMTEngine", "ConvertWeightsKit"],
            path: "Tests/NMTEngineTests"),
        .testTarget(
            name: "TokenizerTests",
            dependencies: ["Tokenizer"],
            path: "Tests/TokenizerTests"),
    ]
)
