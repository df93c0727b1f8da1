/// Tells Chinese from English text by its letters: Han characters against Latin letters (a Han character carries
/// about as much as a short word, so it counts double). Enough to route text to the zh→en or en→zh model; it is not
/// a general language identifier.
public enum LanguageGuess {
    /// `zh` or `en` with a confidence in 0...1; `fallback` when the text has no letters of either kind.
    public static func guess(_ text: String, fallback: String) -> (language: String, confidence: Double) {
        var han = 0, latin = 0
        for s in text.unicodeScalars {
            switch s.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF: han += 1
            case 0x41...0x5A, 0x61...0x7A: latin += 1
            default: break
            }
        }
        let weightedHan = Double(2 * han), total = Double(2 * han + latin)
        guard total > 0 else { return (fallback, 0) }
        return weightedHan * 2 >= total ? ("zh", weightedHan / total) : ("en", Double(latin) / total)
    }
}
