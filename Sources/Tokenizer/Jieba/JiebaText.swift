/// A string as Python's `str` sees it: a sequence of code points, kept with their UTF-8 offsets so that words
/// (ranges of code points) are cut out of the original bytes.
struct JiebaText {
    let utf8: [UInt8]
    let codePoints: [UInt32]
    /// UTF-8 offset of each code point, then of the end.
    private let offsets: [Int]

    init(_ text: String) {
        utf8 = Array(text.utf8)
        var codePoints: [UInt32] = []
        var offsets: [Int] = [0]
        codePoints.reserveCapacity(utf8.count)
        offsets.reserveCapacity(utf8.count + 1)
        var offset = 0
        for scalar in text.unicodeScalars {
            codePoints.append(scalar.value)
            offset += UTF8.width(scalar)
            offsets.append(offset)
        }
        self.codePoints = codePoints
        self.offsets = offsets
    }

    /// The code points `range` as a string.
    func substring(_ range: Range<Int>) -> String {
        String(decoding: utf8[offsets[range.lowerBound]..<offsets[range.upperBound]], as: UTF8.self)
    }
}
