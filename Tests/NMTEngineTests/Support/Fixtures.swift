import ConvertWeightsKit
import Foundation
import NMTEngine

/// Paths and loaders for the committed golden fixtures (Tests/Fixtures/engine, made by
/// Tools/goldens/make_engine_goldens.py from ModelScope's own TF code).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let engineCases = ["prenorm", "postnorm", "eos03", "eos06", "postnorm_eos03", "shape96", "batch3"]

    static func engineCase(_ name: String) -> URL { root.appendingPathComponent("engine/\(name)") }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Converts a fixture's TF checkpoint with the converter's code and loads the result.
    static func convertAndLoad(_ name: String, storage: SafeTensorsWriter.Storage = .f32,
                               compute: ComputeType = .float32) throws -> (CSANMTModel, URL) {
        let tmp = temporaryDirectory()
        let out = tmp.appendingPathComponent("model")
        _ = try ModelConverter(input: engineCase(name), output: out, storage: storage).run()
        return (try CSANMTModel(directory: out, compute: compute), tmp)
    }
}

/// The oracle's expected.json for one case.
struct Expected {
    struct Tensor {
        let shape: [Int]
        let data: [Float]
    }
    struct Beams {
        let seqs: [[[Int32]]]   // [B][k][T] as TF returned them (EOS then 0 padding)
        let scores: [[Float]]
    }
    let src: [[Int32]]
    let trg: [[Int32]]
    let encoderOutput: Tensor
    let semanticVector: Tensor
    let logProbs: Tensor
    let beam4: Beams
    let beam1: Beams

    init(case name: String) throws {
        let data = try Data(contentsOf: Fixtures.engineCase(name).appendingPathComponent("expected.json"))
        guard let j = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw FixtureError.malformed(name) }
        func ints2(_ v: Any?) throws -> [[Int32]] {
            guard let a = v as? [[NSNumber]] else { throw FixtureError.malformed(name) }
            return a.map { $0.map { $0.int32Value } }
        }
        func tensor(_ key: String) throws -> Tensor {
            guard let t = j[key] as? [String: Any], let shape = t["shape"] as? [Int], let d = t["data"] as? [NSNumber] else {
                throw FixtureError.malformed("\(name).\(key)")
            }
            return Tensor(shape: shape, data: d.map { $0.floatValue })
        }
        func beams(_ key: String) throws -> Beams {
            guard let b = j[key] as? [String: Any], let s = b["output_seqs"] as? [[[NSNumber]]],
                  let sc = b["output_scores"] as? [[NSNumber]] else { throw FixtureError.malformed("\(name).\(key)") }
            return Beams(seqs: s.map { $0.map { $0.map { $0.int32Value } } }, scores: sc.map { $0.map { $0.floatValue } })
        }
        src = try ints2(j["src"])
        trg = try ints2(j["trg"])
        encoderOutput = try tensor("encoder_output")
        semanticVector = try tensor("semantic_vector")
        logProbs = try tensor("teacher_forced_logprobs")
        beam4 = try beams("beam4")
        beam1 = try beams("beam1")
    }

    /// Sources without their 0 padding, as the engine takes them.
    var sources: [[Int32]] { src.map { row in Array(row.prefix { $0 != 0 }) } }
}

enum FixtureError: Error { case malformed(String) }

/// Largest |a - b| over two equally long arrays (infinity if the lengths differ).
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
