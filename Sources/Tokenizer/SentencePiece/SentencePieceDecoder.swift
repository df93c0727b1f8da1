/// Ids back to text, as `SentencePieceProcessor::DecodeOptimized` (what `Decode(ids)` runs) does it:
/// control pieces vanish, the unknown piece prints `unk_surface`, runs of `<0xNN>` pieces are reassembled into UTF-8 (each ill-formed byte becomes
/// U+FFFD), U+2581 becomes a space, and the whitespace that the normalizer added at the start is dropped.
struct SentencePieceDecoder: Sendable {
    let vocabulary: SentencePieceVocabulary
    let unkSurface: [UInt8]
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    /// Applied to the decoded text when the model has a `denormalizer_spec` with rules.
    let denormalizer: SentencePieceNormalizer?

    /// Decodes valid ids (the caller drops ids outside the vocabulary), as `DecodeOptimized` does.
    func decode(_ ids: [Int]) -> [UInt8] {
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        // Whether the next piece may still start with the U+2581 that the normalizer added.
        var isBosWhitespace = true
        let symbol = SentencePieceUTF8.spaceSymbol
        let stripsBosWhitespace = addDummyPrefix || removeExtraWhitespaces

        for id in ids {
            let type = vocabulary.types[id]
            if type == .byte {
                if let byte = SentencePieceVocabulary.pieceToByte(vocabulary.pieces[id]) { pendingBytes.append(byte) }
                continue
            }
            flushBytes(&pendingBytes, into: &text)
            if !text.isEmpty { isBosWhitespace = false }
            if type == .control { continue }

            let piece = vocabulary.pieces[id]
            var start = 0
            var hasBosWhitespace = false
            if isBosWhitespace && stripsBosWhitespace,
               piece.count >= symbol.count, piece[0..<symbol.count].elementsEqual(symbol) {
                start = symbol.count
                // With remove_extra_whitespaces every leading whitespace piece is dropped, so none counts.
                hasBosWhitespace = !removeExtraWhitespaces
            }
            if type == .unknown {
                text.append(contentsOf: unkSurface)
            } else {
                appendReplacingSpaceSymbol(piece, from: start, to: &text)
            }
            if hasBosWhitespace || !text.isEmpty { isBosWhitespace = false }
        }
        flushBytes(&pendingBytes, into: &text)

        if let denormalizer { return denormalizer.normalize(text) }
        return text
    }

    /// Appends `piece[start...]` with every U+2581 replaced by a space.
    private func appendReplacingSpaceSymbol(_ piece: [UInt8], from start: Int, to text: inout [UInt8]) {
        let symbol = SentencePieceUTF8.spaceSymbol
        var k = start
        while k < piece.count {
            if k + 3 <= piece.count, piece[k] == symbol[0], piece[k + 1] == symbol[1], piece[k + 2] == symbol[2] {
                text.append(UInt8(ascii: " "))
                k += 3
            } else {
                text.append(piece[k])
                k += 1
            }
        }
    }

    /// `ProcessBytePieces`: appends the pending bytes, one UTF-8 character at a time.
    private func flushBytes(_ bytes: inout [UInt8], into text: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let decoded = SentencePieceUTF8.decodeCharacter(buffer, at: offset, end: buffer.count)
                if decoded.valid {
                    text.append(contentsOf: buffer[offset..<(offset + decoded.length)])
                } else {
                    text.append(contentsOf: SentencePieceUTF8.replacementCharacter)
                }
                offset += decoded.length
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
