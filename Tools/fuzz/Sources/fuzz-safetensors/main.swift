import Foundation
import FuzzSupport
import NMTEngine

/// Any bytes as a safetensors file (the reader maps a file, so each input is written to one in /dev/shm): an error
/// naming the file, or a file whose every tensor reads within its bounds.
let path = "/dev/shm/csanmt-fuzz-\(getpid()).safetensors"

runFuzzer { data, size in
    guard FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes(data, size))) else { return 0 }
    defer { unlink(path) }
    guard let file = try? SafeTensorsFile(path: path) else { return 0 }
    for name in file.entries.keys.sorted() {
        guard let values = try? file.floats(name) else { continue }
        let expected = file.entries[name]!.shape.reduce(1, *)
        precondition(values.count == expected, "\(name): \(values.count) values for shape \(file.entries[name]!.shape)")
        _ = values.reduce(0, +)   // touch every value (ASan checks the bounds)
    }
    return 0
}
