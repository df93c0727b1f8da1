/// The character classes the Moses ports use, built once from `MosesCharacterTables`.
enum MosesCharacterClasses {
    /// Python `\s` / `str.isspace` (Unicode 14 as in Python 3.11).
    static let whitespace = MosesScalarSet(table: MosesCharacterTables.pythonWhitespace)
    /// Python `\d` (Unicode Nd).
    static let decimal = MosesScalarSet(table: MosesCharacterTables.pythonDecimal)
    /// MosesTokenizer `[{IsAlnum}]`.
    static let tokenizerAlnum = MosesScalarSet(table: MosesCharacterTables.tokenizerAlnum)
    /// MosesTokenizer `[{IsAlpha}]`; also the literal set `isanyalpha` tests (the generator checks they agree).
    static let tokenizerAlpha = MosesScalarSet(table: MosesCharacterTables.tokenizerAlpha)
    /// MosesTokenizer `[{IsN}]`.
    static let tokenizerNumber = MosesScalarSet(table: MosesCharacterTables.tokenizerNumber)
    /// MosesTokenizer `islower` (literal IsLower characters).
    static let tokenizerLower = MosesScalarSet(table: MosesCharacterTables.tokenizerLower)
    /// MosesDetokenizer `[{IsAlpha}]`.
    static let detokenizerAlpha = MosesScalarSet(table: MosesCharacterTables.detokenizerAlpha)
    /// MosesDetokenizer IS_CURRENCY_SYMBOL class.
    static let detokenizerCurrency = MosesScalarSet(table: MosesCharacterTables.detokenizerCurrency)
    /// `sacremoses.util.is_cjk`.
    static let cjk = MosesScalarSet(table: MosesCharacterTables.cjk)

    /// What PAD_NOT_ISALNUM leaves alone: `[{IsAlnum}\s\.'\`\,\-]` (the padded class is its complement).
    static let tokenizerKeepUnpadded = MosesScalarSet(
        union: [tokenizerAlnum, whitespace],
        adding: [0x2E, 0x27, 0x60, 0x2C, 0x2D])  // . ' ` , -
    /// `[{IsAlpha}{IsN}]` (EN_SPECIFIC_2 uses its complement).
    static let tokenizerAlphaOrNumber = MosesScalarSet(union: [tokenizerAlpha, tokenizerNumber])
}
