/// One piece of a segmentation: a byte range of the normalized text and the vocabulary id it maps to.
struct SentencePieceSegment: Sendable, Equatable {
    var start: Int
    var end: Int
    var id: Int
}
