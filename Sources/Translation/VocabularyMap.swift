import Foundation
import NMTEngine
import Tokenizer

/// A vocabulary map file (`--vmap FILE`, CTranslate2's "vmap"): which target pieces are worth scoring for each
/// source piece. Read into the engine's ``VocabularyShortlist`` (ids) with the model folder's vocabularies.
///
/// Format: UTF-8 text, one line per source piece: the piece, a tab, then target pieces separated by spaces. The
/// line whose source piece is empty lists the pieces scored for every input. Lines starting with `#` are
/// comments. Pieces are the model's BPE units as they appear in its vocabulary files (`@@` included); in a file
/// whose first line is `#ids`, they are decimal ids instead (for models without vocabulary files, such as the
/// random full-size benchmark model).
/// `csanmt vmap` builds one from a parallel corpus (``VocabularyMapBuilder``).
public enum VocabularyMap {
    /// Files larger than this are refused (a map of every piece of a 50k vocabulary with 100 candidates each is
    /// about 60 MB).
    public static let maxBytes = 256 << 20

    /// The shortlist of the map at `url` (nil: no map) for the model folder at `modelDirectory`.
    public static func shortlist(_ url: URL?, modelDirectory: URL) throws -> VocabularyShortlist? {
        guard let url else { return nil }
        return try load(url, folder: try ModelFolder(modelDirectory)).shortlist
    }

    /// Reads `url` and maps its pieces to ids with `folder`'s source and target vocabularies. Pieces that are
    /// not in a vocabulary are skipped (the map may come from a corpus with other words); malformed lines are an
    /// error naming the line.
    public static func load(_ url: URL, folder: ModelFolder) throws -> (shortlist: VocabularyShortlist, skipped: Int) {
        func fail(_ reason: String) -> VocabularyMapError { VocabularyMapError(path: url.path, reason: reason) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = attributes?[.size] as? Int else { throw fail("cannot read the file") }
        guard size <= maxBytes else { throw fail("is \(size) bytes; the limit is \(maxBytes)") }
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw fail("cannot read the file as UTF-8 text")
        }
        let byID = text.hasPrefix("#ids\n") || text.hasPrefix("#ids\r\n")
        let files = folder.config.tokenizer
        let sourceID: (String) -> Int32, targetID: (String) -> Int32
        if byID {
            let (sv, tv) = (folder.config.srcVocabSize, folder.config.trgVocabSize)
            sourceID = { Int32($0).flatMap { (0..<sv).contains(Int($0)) ? $0 : nil } ?? -1 }
            targetID = { Int32($0).flatMap { (0..<tv).contains(Int($0)) ? $0 : nil } ?? -1 }
        } else {
            guard let srcVocab = files.srcVocab, let trgVocab = files.trgVocab else {
                throw fail("the model folder \(folder.url.path) has no vocabulary files to map pieces to ids (a file of ids starts with #ids)")
            }
            let source = try Vocabulary(contentsOf: folder.url.appendingPathComponent(srcVocab))
            let target = try Vocabulary(contentsOf: folder.url.appendingPathComponent(trgVocab))
            sourceID = { source.id($0, unknown: -1) }
            targetID = { target.id($0, unknown: -1) }
        }
        var candidates: [Int32: [Int32]] = [:], always: [Int32] = [], skipped = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                throw fail("line \(number + 1) has no tab between the source piece and its target pieces")
            }
            let piece = String(line[..<tab])
            var ids: [Int32] = []
            for t in line[line.index(after: tab)...].split(separator: " ") {
                let id = targetID(String(t))
                if id < 0 { skipped += 1 } else { ids.append(id) }
            }
            if piece.isEmpty {
                always += ids
            } else {
                let id = sourceID(piece)
                if id < 0 { skipped += 1 } else { candidates[id, default: []] += ids }
            }
        }
        return (VocabularyShortlist(candidates: candidates, always: always), skipped)
    }
}

/// A vocabulary map file that cannot be used; the message names the file and the line.
public struct VocabularyMapError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
