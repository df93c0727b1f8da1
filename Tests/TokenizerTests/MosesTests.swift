import Foundation
import Testing
@testable import Tokenizer

/// One line of Tests/Fixtures/tokenizer/moses/en.jsonl.
private struct EnglishRow: Decodable {
    let set: String
    let src: String
    let norm: String
    let tok: String
    let tok_raw: String
    let detok: String
}

/// One line of Tests/Fixtures/tokenizer/moses/zh_detok.jsonl.
private struct ChineseDetokRow: Decodable {
    let set: String
    let tokens: [String]
    let detok: String
}

@Suite("Moses goldens (sacremoses 0.2.0)")
struct MosesGoldenTests {
    @Test("normalizer, tokenizer and en detokenizer on real English lines")
    func english() throws {
        let rows: [EnglishRow] = try MosesFixtures.jsonLines(MosesFixtures.moses("en.jsonl"))
        #expect(rows.count >= 1500)
        let normalizer = MosesPunctNormalizer(lang: "en")
        let tokenizer = try MosesTokenizer(lang: "en")
        let detokenizer = try MosesDetokenizer(lang: "en")
        var norm = MosesParityCounter("moses en normalize")
        var tok = MosesParityCounter("moses en tokenize(norm, aggressive_dash_splits=True)")
        var tokList = MosesParityCounter("moses en tokenize(norm) as list")
        var tokRaw = MosesParityCounter("moses en tokenize(src)")
        var detok = MosesParityCounter("moses en detokenize(tok.split())")
        for row in rows {
            let normalized = normalizer.normalize(row.src)
            norm.check(MosesFixtures.same(normalized, row.norm), "\(row.src) -> \(normalized) != \(row.norm)")
            let tokenized = tokenizer.tokenizedString(row.norm, aggressiveDashSplits: true)
            tok.check(MosesFixtures.same(tokenized, row.tok), "\(row.norm) -> \(tokenized) != \(row.tok)")
            let expectedList = MosesFixtures.pythonSplit(row.tok)
            let list = tokenizer.tokenize(row.norm, aggressiveDashSplits: true)
            tokList.check(MosesFixtures.same(list, expectedList), "\(row.norm) -> \(list)")
            let raw = tokenizer.tokenizedString(row.src)
            tokRaw.check(MosesFixtures.same(raw, row.tok_raw), "\(row.src) -> \(raw) != \(row.tok_raw)")
            let tokens = MosesFixtures.pythonSplit(row.tok)
            let text = detokenizer.detokenize(tokens)
            detok.check(MosesFixtures.same(text, row.detok), "\(row.tok) -> \(text) != \(row.detok)")
        }
        for counter in [norm, tok, tokList, tokRaw, detok] { counter.report() }
    }

    @Test("zh detokenizer on jieba-segmented Chinese lines")
    func chineseDetokenizer() throws {
        let rows: [ChineseDetokRow] = try MosesFixtures.jsonLines(MosesFixtures.moses("zh_detok.jsonl"))
        #expect(rows.count >= 500)
        let detokenizer = try MosesDetokenizer(lang: "zh")
        var counter = MosesParityCounter("moses zh detokenize(jieba tokens)")
        for row in rows {
            let text = detokenizer.detokenize(row.tokens)
            counter.check(MosesFixtures.same(text, row.detok), "\(row.tokens) -> \(text) != \(row.detok)")
        }
        counter.report()
    }
}

/// Focused cases; every expected value was produced by sacremoses 0.2.0 in the oracle venv.
@Suite("Moses rules")
struct MosesRuleTests {
    private static let normalizer = MosesPunctNormalizer(lang: "en")

    @Test("normalizer", arguments: [
        ("Hello , world ( test ) .", "Hello , world (test)."),
        ("\u{201E}Quote\u{201C} \u{2013} dash \u{2014} em", "\"Quote\" - dash - em"),
        ("it\u{2019}s l\u{2019}amour \u{2018}quoted\u{2019}", "it's l'amour 'quoted'"),
        ("5 % and 1\u{A0}000\u{A0}000", "5% and 1.000.000"),
        ("1\u{A0}2\u{A0}3 and 1\u{A0}000", "1.2\u{A0}3 and 1.000"),  // re.sub matches never overlap
        ("He said \"hello\", then \"left\".", "He said \"hello,\" then \"left.\""),
        ("\u{AB}\u{A0}Bonjour\u{A0}\u{BB} \u{AB} x \u{BB}", "\"Bonjour\" \" x \""),
        ("``double'' quotes", "\" double \" quotes"),  // the "IF_NOT_PENN" rules run when penn=True
        ("a\r\nb  c \u{2026} d", "a\nb c ... d"),
        (" x\u{A0}: y\u{A0}! ", "x: y!"),
    ])
    func normalizer(input: String, expected: String) {
        #expect(MosesFixtures.same(Self.normalizer.normalize(input), expected))
    }

    @Test("tokenizer (aggressive dash splits | plain)", arguments: [
        ("Alibaba Group's mission", "Alibaba Group &apos;s mission", "Alibaba Group &apos;s mission"),
        ("non-diabetic 4-month-old", "non @-@ diabetic 4 @-@ month @-@ old", "non-diabetic 4-month-old"),
        ("Wait... what?", "Wait ... what ?", "Wait ... what ?"),
        ("Mr. Smith paid $5,300.50 on Jan. 3.", "Mr. Smith paid $ 5,300.50 on Jan. 3 .",
         "Mr. Smith paid $ 5,300.50 on Jan. 3 ."),
        ("No. 5 vs No. Five", "No. 5 vs No . Five", "No. 5 vs No . Five"),  // #NUMERIC_ONLY#
        ("e.g. this and U.S.A. That", "e.g. this and U.S.A. That", "e.g. this and U.S.A. That"),
        ("He said 'hello.'", "He said &apos; hello . &apos; ", "He said &apos; hello . &apos; "),  // trailing space
        ("AT&T | [x] <y> \"z\"", "AT &amp; T &#124; &#91; x &#93; &lt; y &gt; &quot; z &quot;",
         "AT &amp; T &#124; &#91; x &#93; &lt; y &gt; &quot; z &quot;"),
        ("can't won't I'm they'll", "can &apos;t won &apos;t I &apos;m they &apos;ll",
         "can &apos;t won &apos;t I &apos;m they &apos;ll"),
        ("'90s 1990's rock'n'roll", "&apos;90s 1990 &apos;s rock &apos;n&apos;roll",
         "&apos;90s 1990 &apos;s rock &apos;n&apos;roll"),
        ("DOTMULTI and DOTDOTMULTI", ". and ..", ". and .."),  // literal markers are "restored" too
        ("a\u{A0}b\u{2028}c\u{200B}d", "a b c \u{200B} d", "a b c \u{200B} d"),
        // Code points, not graphemes: the combining mark is split off.
        ("cafe\u{301} , e\u{301}", "cafe \u{301} , e \u{301}", "cafe \u{301} , e \u{301}"),
        ("A,B,C 5,300 5,", "A , B , C 5,300 5 ,", "A , B , C 5,300 5 ,"),
        ("Hello!!! Really??", "Hello ! ! ! Really ? ?", "Hello ! ! ! Really ? ?"),
        ("x/y and/or 3/4", "x / y and / or 3 / 4", "x / y and / or 3 / 4"),
        ("Call 555-1234 (ext. 5)", "Call 555 @-@ 1234 ( ext . 5 )", "Call 555-1234 ( ext . 5 )"),
        ("caf\u{E9}-bar e\u{301}-x", "caf\u{E9} @-@ bar e \u{301} -x", "caf\u{E9}-bar e \u{301} -x"),
        ("end.'", "end . &apos; ", "end . &apos; "),
        ("ok.' ", "ok . &apos; ", "ok . &apos; "),
    ])
    func tokenizer(input: String, aggressive: String, plain: String) throws {
        let tokenizer = try MosesTokenizer(lang: "en")
        #expect(MosesFixtures.same(tokenizer.tokenizedString(input, aggressiveDashSplits: true), aggressive))
        #expect(MosesFixtures.same(tokenizer.tokenizedString(input), plain))
        #expect(MosesFixtures.same(tokenizer.tokenize(input), MosesFixtures.pythonSplit(plain)))
    }

    @Test("tokenizer without escaping")
    func tokenizerNoEscape() throws {
        let tokenizer = try MosesTokenizer(lang: "en")
        #expect(tokenizer.tokenize("AT&T's [x]", escape: false) == ["AT", "&", "T", "'s", "[", "x", "]"])
    }

    @Test("detokenizer en | zh", arguments: [
        (["The", "Jones", "'", "house"], "The Jones' house", "The Jones 'house"),
        (["&quot;", "Hello", "&quot;", "he", "said", "."], "\"Hello\" he said.", "\"Hello\" he said."),
        (["I", "&apos;m", "here"], "I'm here", "I 'm here"),
        (["$", "5", "(", "approx", ")", "!"], "$5 (approx)!", "$5 (approx)!"),
        (["non", "@-@", "diabetic"], "non-diabetic", "non-diabetic"),
        (["'", "quoted", "'", "and", "'", "again", "'"], "'quoted' and 'again'", "'quoted' and 'again'"),
        (["AT", "&amp;", "T", "&#124;", "&#91;", "x", "&#93;"], "AT & T | [x]", "AT & T | [x]"),
        (["\u{201E}", "Hallo", "\u{201C}", "sagte", "er"], "\u{201E}Hallo\u{201C} sagte er",
         "\u{201E}Hallo\u{201C} sagte er"),
        (["中文", "English", "中文", "。"], "中文 English 中文。", "中文 English 中文。"),
    ])
    func detokenizer(tokens: [String], english: String, chinese: String) throws {
        #expect(MosesFixtures.same(try MosesDetokenizer(lang: "en").detokenize(tokens), english))
        #expect(MosesFixtures.same(try MosesDetokenizer(lang: "zh").detokenize(tokens), chinese))
    }

    @Test("zh detokenizer CJK quirks", arguments: [
        ("你好 ， 世界 。", "你好 ， 世界。"),  // is_cjk('。') but not '，'
        ("我 说 ： “ 你好 ！ ” 他 走 了 。", "我说 ： “你好 ！ ” 他走了。"),
        ("这是 A 计划 。", "这是 A 计划。"),
        ("价格 是 $ 100 。", "价格是 $100 。"),
    ])
    func chineseQuirks(input: String, expected: String) throws {
        let tokens = MosesFixtures.pythonSplit(input)
        #expect(MosesFixtures.same(try MosesDetokenizer(lang: "zh").detokenize(tokens), expected))
    }

    @Test("unsupported languages throw")
    func unsupported() {
        #expect(throws: MosesError.unsupportedLanguage("de")) { try MosesTokenizer(lang: "de") }
        #expect(throws: MosesError.unsupportedLanguage("fr")) { try MosesDetokenizer(lang: "fr") }
    }

    @Test("character tables have the sizes Python measured")
    func tableSizes() {
        typealias C = MosesCharacterClasses
        #expect(C.whitespace.count == 29)
        #expect(C.decimal.count == 660)
        #expect(C.tokenizerAlnum.count == 10717)
        #expect(C.tokenizerAlpha.count == 10347)
        #expect(C.tokenizerNumber.count == 713)
        #expect(C.tokenizerLower.count == 2253)
        #expect(C.detokenizerAlpha.count == 10286)
        #expect(C.detokenizerCurrency.count == 58)
        #expect(C.cjk.count == 115_608)
        #expect(C.cjk.contains(0x3002) && !C.cjk.contains(0xFF0C))  // 。 yes, ， no
        #expect(C.cjk.contains(0xAC00) && C.cjk.contains(0x1100))  // closed ranges (both ends)
    }

    @Test("nonbreaking prefix file parsing")
    func prefixes() {
        let parsed = MosesNonbreakingPrefixes(fileContents: "#c\nMr\n\n No #NUMERIC_ONLY# \r\nArt\t#NUMERIC_ONLY#\n")
        #expect(parsed.prefixes.contains(MosesScalarText.scalars(of: "Mr")))
        #expect(parsed.prefixes.contains(MosesScalarText.scalars(of: "No #NUMERIC_ONLY#")))
        #expect(!parsed.prefixes.contains(MosesScalarText.scalars(of: "No")))
        #expect(parsed.numericOnly.contains(MosesScalarText.scalars(of: "No")))
        #expect(parsed.numericOnly.contains([]))  // "Art\t#NUMERIC_ONLY#".rpartition(" ")[0] == ""
    }
}
