/// One position of a fixed-width pattern: matches exactly one code point.
enum MosesScalarAtom: Sendable {
    /// This code point.
    case scalar(UInt32)
    /// Any of these code points (a short list).
    case anyOf([UInt32])
    /// A member of the set.
    case member(MosesScalarSet)
    /// Anything that is not a member of the set (a negated class `[^...]`).
    case nonMember(MosesScalarSet)

    @inline(__always)
    func matches(_ value: UInt32) -> Bool {
        switch self {
        case .scalar(let expected): return value == expected
        case .anyOf(let values): return values.contains(value)
        case .member(let set): return set.contains(value)
        case .nonMember(let set): return !set.contains(value)
        }
    }
}

/// A piece of a substitution template.
enum MosesTemplatePart: Sendable {
    /// Literal text.
    case literal([UInt32])
    /// The code point matched by the consumed atom at this index (a one-character capture group).
    case atom(Int)
}

/// `re.sub(pattern, template, text)` for a pattern that is a fixed sequence of one-character atoms, optionally
/// followed by a one-character lookahead `(?=...)` and/or Python's `$` anchor. Matches are found the way `re.sub`
/// finds them: leftmost first, non-overlapping, scanning resumes after the consumed part.
struct MosesScalarRule: Sendable {
    let atoms: [MosesScalarAtom]
    let lookahead: MosesScalarAtom?
    /// Python `$`: the match must end at the end of the text, or just before a final "\n".
    let anchoredAtEnd: Bool
    let template: [MosesTemplatePart]
    /// A code point every match contains; texts without it are returned untouched without scanning.
    let required: UInt32?

    init(_ atoms: [MosesScalarAtom], lookahead: MosesScalarAtom? = nil, anchoredAtEnd: Bool = false,
         template: [MosesTemplatePart], required: UInt32? = nil) {
        self.atoms = atoms
        self.lookahead = lookahead
        self.anchoredAtEnd = anchoredAtEnd
        self.template = template
        self.required = required
    }

    @inline(__always)
    private func matches(_ text: [UInt32], at index: Int) -> Bool {
        let end = index + atoms.count
        guard end + (lookahead == nil ? 0 : 1) <= text.count else { return false }
        for offset in 0..<atoms.count where !atoms[offset].matches(text[index + offset]) { return false }
        if let lookahead, !lookahead.matches(text[end]) { return false }
        if anchoredAtEnd, !(end == text.count || (end == text.count - 1 && text[end] == 0x0A)) { return false }
        return true
    }

    /// Applies the substitution; returns `text` itself when nothing matches.
    func apply(_ text: [UInt32]) -> [UInt32] {
        guard !atoms.isEmpty else { return text }
        if let required, !text.contains(required) { return text }
        var output: [UInt32] = []
        var copied = 0
        var index = 0
        var matched = false
        while index < text.count {
            if matches(text, at: index) {
                if !matched {
                    output.reserveCapacity(text.count + 32)
                    matched = true
                }
                output.append(contentsOf: text[copied..<index])
                for part in template {
                    switch part {
                    case .literal(let literal): output.append(contentsOf: literal)
                    case .atom(let position): output.append(text[index + position])
                    }
                }
                index += atoms.count
                copied = index
            } else {
                index += 1
            }
        }
        guard matched else { return text }
        output.append(contentsOf: text[copied...])
        return output
    }
}
