/// sentencepiece's `normalizer::Normalizer`: charsmap rules (longest match), user-defined symbols kept as they
/// are, whitespace handling (remove extra, dummy prefix or suffix, escape with U+2581).
struct SentencePieceNormalizer: Sendable {
    private let charsMap: SentencePieceCharsMap?
    private let addDummyPrefix: Bool
    private let removeExtraWhitespaces: Bool
    private let escapeWhitespaces: Bool
    private let treatWhitespaceAsSuffix: Bool
    /// User-defined symbols: matched first and copied without normalization (`Normalizer::matcher_`).
    private let userDefined: SentencePieceTrie?

    /// - Throws: `SentencePieceError.invalidModel` when the charsmap blob is broken.
    init(spec: SentencePieceModelProto.NormalizerSpec, treatWhitespaceAsSuffix: Bool, userDefined: SentencePieceTrie?) throws {
        self.charsMap = spec.precompiledCharsmap.isEmpty ? nil : try SentencePieceCharsMap(blob: spec.precompiledCharsmap)
        self.addDummyPrefix = spec.addDummyPrefix
        self.removeExtraWhitespaces = spec.removeExtraWhitespaces
        self.escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        self.userDefined = userDefined
    }

    /// Where the normalized form of one prefix of the input comes from.
    private enum Chunk {
        case input(Range<Int>)
        case pool(Range<Int>)
        case replacementCharacter
    }

    /// `Normalizer::NormalizePrefix`: normalizes the shortest useful prefix of `input[start..<end]`.
    /// Returns the bytes to emit and how many input bytes they replace.
    @inline(__always)
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, at start: Int, end: Int)
        -> (chunk: Chunk, consumed: Int) {
        if let userDefined {
            let length = userDefined.longestPrefixLength(input, from: start, to: end)
            if length > 0 { return (.input(start..<(start + length)), length) }
        }
        if let charsMap, let rule = charsMap.longestRule(input, from: start, to: end) {
            return (.pool(rule.replacement), rule.consumed)
        }
        let decoded = SentencePieceUTF8.decodeCharacter(input, at: start, end: end)
        if !decoded.valid { return (.replacementCharacter, 1) }
        return (.input(start..<(start + decoded.length)), decoded.length)
    }

    /// Normalizes UTF-8 bytes exactly as `Normalizer::Normalize` does (without the offset mapping).
    func normalize(_ text: [UInt8]) -> [UInt8] {
        guard !text.isEmpty else { return [] }
        return text.withUnsafeBufferPointer { input in
            charsMapPool { pool in normalize(input, pool: pool) }
        }
    }

    private func charsMapPool<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let charsMap { return charsMap.pool.withUnsafeBufferPointer(body) }
        return body(UnsafeBufferPointer(start: nil, count: 0))
    }

    private func normalize(_ input: UnsafeBufferPointer<UInt8>, pool: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let end = input.count
        var pos = 0
        let space = UInt8(ascii: " ")
        let spaceSymbol = SentencePieceUTF8.spaceSymbol

        // Leading whitespace: drop every prefix whose normalized form is exactly " ".
        if removeExtraWhitespaces {
            while pos < end {
                let (chunk, consumed) = normalizePrefix(input, at: pos, end: end)
                let isSingleSpace: Bool
                switch chunk {
                case let .input(r): isSingleSpace = r.count == 1 && input[r.lowerBound] == space
                case let .pool(r): isSingleSpace = r.count == 1 && pool[r.lowerBound] == space
                case .replacementCharacter: isSingleSpace = false
                }
                if !isSingleSpace { break }
                pos += consumed
            }
        }
        if pos == end { return [] }

        var out: [UInt8] = []
        out.reserveCapacity(end * 3)
        func addWhitespace() {
            if escapeWhitespaces { out.append(contentsOf: spaceSymbol) } else { out.append(space) }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { addWhitespace() }

        var isPrevSpace = removeExtraWhitespaces
        // Emits one normalized chunk, dropping its leading spaces when the previous chunk ended with a space.
        func emit(_ source: UnsafeBufferPointer<UInt8>, _ chunk: Range<Int>) {
            var start = chunk.lowerBound
            while isPrevSpace, start < chunk.upperBound, source[start] == space { start += 1 }
            guard start < chunk.upperBound else { return }
            for k in start..<chunk.upperBound {
                let byte = source[k]
                if escapeWhitespaces && byte == space {
                    out.append(contentsOf: spaceSymbol)
                } else {
                    out.append(byte)
                }
            }
            isPrevSpace = source[chunk.upperBound - 1] == space
        }
        while pos < end {
            let (chunk, consumed) = normalizePrefix(input, at: pos, end: end)
            switch chunk {
            case let .input(r): emit(input, r)
            case let .pool(r): emit(pool, r)
            case .replacementCharacter:
                out.append(contentsOf: SentencePieceUTF8.replacementCharacter)
                isPrevSpace = false
            }
            pos += consumed
            if !removeExtraWhitespaces { isPrevSpace = false }
        }

        // Trailing whitespace.
        if removeExtraWhitespaces {
            let trailing: [UInt8] = escapeWhitespaces ? spaceSymbol : [space]
            while out.count >= trailing.count, out[(out.count - trailing.count)...].elementsEqual(trailing) {
                out.removeLast(trailing.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { addWhitespace() }
        return out
    }
}
