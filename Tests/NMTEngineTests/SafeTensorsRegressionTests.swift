import Foundation
import NMTEngine
import Testing

/// Hostile safetensors files give errors naming the file, never a trap (inputs found by Tools/fuzz, and their
/// neighbours).
@Suite("safetensors: hostile headers")
struct SafeTensorsRegressionTests {
    static func file(_ bytes: [UInt8]) throws -> String {
        let path = Fixtures.temporaryDirectory().appendingPathComponent("hostile.safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func safetensors(header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + data
    }

    @Test("the fuzzer's input: a header length with the top bit set is an error, not a trap")
    func headerLengthTopBit() throws {
        let crash = try Data(contentsOf: Fixtures.root.appendingPathComponent("fuzz/safetensors-header-length-top-bit"))
        let path = try Self.file(Array(crash))
        #expect { try SafeTensorsFile(path: path) } throws: { "\($0)".contains("header length") && "\($0)".contains(path) }
    }

    @Test("shapes and offsets whose arithmetic would overflow are errors")
    func overflowingSizes() throws {
        for header in [#"{"a": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}}"#,
                       #"{"a": {"dtype": "F32", "shape": [3037000500, 3037000500], "data_offsets": [0, 4]}}"#,
                       #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, -9223372036854775808]}}"#,
                       #"{"a": {"dtype": "F32", "shape": [-1, -4], "data_offsets": [0, 16]}}"#] {
            let path = try Self.file(Self.safetensors(header: header, data: Array(repeating: 0, count: 16)))
            #expect(throws: EngineError.self, "\(header)") { try SafeTensorsFile(path: path) }
        }
        let ok = try Self.file(Self.safetensors(header: #"{"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}"#,
                                                data: Array(repeating: 0, count: 16)))
        #expect(try SafeTensorsFile(path: ok).floats("a").count == 4)
    }

    @Test("the fuzzer's second input: an empty F16 tensor reads as 0 values, not 1")
    func emptyTensor() throws {
        let crash = try Data(contentsOf: Fixtures.root.appendingPathComponent("fuzz/safetensors-empty-f16-tensor"))
        let file = try SafeTensorsFile(path: try Self.file(Array(crash)))
        #expect(try file.floats("b").count == 0)
        #expect(try file.floats("a").count == 6)
    }
}
