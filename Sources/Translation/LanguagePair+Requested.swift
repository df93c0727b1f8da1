extension LanguagePair {
    /// The direction a request asks for among the `served` ones, for the server and the CLI alike.
    /// - `source`: a language, `auto` (the text's, by ``LanguageGuess``: mixed text by its weighted majority of Han and
    ///   Latin letters), or nil (the served source when there is one, else the text's).
    /// - `target`: a language, or nil (the one served from the source).
    ///
    /// `text` is read only when the language must be guessed. The pair returned may not be served: the caller names
    /// the served pairs in its error. Nil when nothing is served.
    public static func requested(source: String?, target: String?, text: @autoclosure () -> String,
                                 served: [LanguagePair]) -> LanguagePair? {
        guard let first = served.first else { return nil }
        let target = target?.lowercased()
        var source = source?.lowercased()
        if source == "auto" || (source == nil && Set(served.map(\.source)).count > 1) {
            let candidates = served.filter { target == nil || $0.target == target }.map(\.source)
            let fallback = candidates.first ?? first.source
            let guess = LanguageGuess.guess(text(), fallback: fallback).language
            source = candidates.contains(guess) ? guess : fallback
        }
        let from = source ?? first.source
        return LanguagePair(source: from, target: target ?? served.first { $0.source == from }?.target ?? first.target)
    }
}
