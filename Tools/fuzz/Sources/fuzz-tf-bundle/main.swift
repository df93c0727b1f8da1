import ConvertWeightsKit
import Foundation
import FuzzSupport

/// Any bytes as a TF tensor bundle (`ckpt.index` + `ckpt.data-00000-of-00001`, written to /dev/shm): an error
/// naming the file, or an index whose every float32 tensor reads as many values as its shape says.
///
/// The first byte picks how the rest becomes files:
/// - even: raw. Two bytes give the index's length; those bytes are the `.index` file, the rest the data shard.
///   This reaches the footer, block and checksum checks.
/// - odd: structured. Records `[key length: 1][key][value length: 2][value]` become the entries of an index
///   that ``TensorBundleIndexWriter`` wraps in valid blocks and checksums (random bytes almost never pass a
///   crc32c), so the entry decoding and the tensor reads are reached; the bytes after the records are the shard.
let prefix = "/dev/shm/csanmt-fuzz-\(getpid())-ckpt"
let indexPath = prefix + ".index", shardPath = TensorBundleIndex.shardPath(prefix: prefix, shard: 0, of: 1)

func files(_ input: UnsafeBufferPointer<UInt8>) -> (index: [UInt8], shard: [UInt8])? {
    guard let mode = input.first else { return nil }
    var rest = input.dropFirst()
    if mode % 2 == 0 {
        guard rest.count >= 2 else { return nil }
        let length = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
        rest = rest.dropFirst(2)
        let cut = rest.startIndex + min(length, rest.count)
        return (Array(rest[..<cut]), Array(rest[cut...]))
    }
    var entries: [(key: [UInt8], value: [UInt8])] = []
    while let keyLength = rest.first.map(Int.init), rest.count >= 1 + keyLength + 2 {
        let key = Array(rest.dropFirst().prefix(keyLength))
        rest = rest.dropFirst(1 + keyLength)
        let valueLength = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
        rest = rest.dropFirst(2)
        let value = Array(rest.prefix(valueLength))
        rest = rest.dropFirst(valueLength)
        entries.append((key, value))
        if value.count < valueLength { break }
    }
    return (TensorBundleIndexWriter.encode(entries: entries), Array(rest))
}

runFuzzer { data, size in
    guard let (index, shard) = files(bytes(data, size)),
          FileManager.default.createFile(atPath: indexPath, contents: Data(index)),
          FileManager.default.createFile(atPath: shardPath, contents: Data(shard)) else { return 0 }
    defer { unlink(indexPath); unlink(shardPath) }
    guard let reader = try? TensorBundleReader(prefix: prefix) else { return 0 }
    for name in reader.index.entries.keys.sorted() {
        guard let values = try? reader.readFloats(name) else { continue }
        let shape = reader.index.entries[name]!.shape
        precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
        _ = values.reduce(0, +)   // touch every value (ASan checks the bounds)
    }
    return 0
}
