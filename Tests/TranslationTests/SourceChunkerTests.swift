import Testing
@testable import Translation

@Suite("Chunking long sentences")
struct SourceChunkerTests {
    @Test("a sentence within the limit is one chunk; an empty one has none")
    func short() {
        #expect(SourceChunker.chunks(pieces: ["a", "b", "，", "c"], limit: 4) == [0..<4])
        #expect(SourceChunker.chunks(pieces: [], limit: 4).isEmpty)
    }

    @Test("cuts fall after the last clause mark in the second half of each chunk")
    func atMarks() {
        let pieces = ["一", "二", "，", "三", "四", "五", "，", "六", "七", "八", "。", "九"]
        // limit 8: the second half is 4..<8; its last mark is at 6 -> cut after it. Then 7..<12 fits.
        #expect(SourceChunker.chunks(pieces: pieces, limit: 8) == [0..<7, 7..<12])
        // English marks as Moses leaves them.
        #expect(SourceChunker.chunks(pieces: ["a", "b", ",", "c", "d", "e"], limit: 4) == [0..<3, 3..<6])
    }

    @Test("with no mark late enough, the cut is at the limit; every piece is covered once, in order")
    func hardCuts() {
        let pieces = (0..<23).map { $0 == 1 ? "，" : "w\($0)" }   // a mark only in the first half: ignored
        let chunks = SourceChunker.chunks(pieces: pieces, limit: 10)
        #expect(chunks == [0..<10, 10..<20, 20..<23])
        #expect(chunks.flatMap { Array($0) } == Array(0..<23))
        #expect(SourceChunker.chunks(pieces: ["a", "b", "c"], limit: 1) == [0..<1, 1..<2, 2..<3])
    }
}
