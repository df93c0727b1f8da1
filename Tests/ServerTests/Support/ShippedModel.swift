import Foundation

/// The shipped default model of this checkout, for the tests that run the real engine behind the server.
enum ShippedModel {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Weights/csanmt-zh2en-small")
}
