import Testing
@testable import Tokenizer

@Suite("Sentence splitting and paragraph reassembly")
struct SentenceSplitterTests {
    func sentences(_ text: String) -> [String] { SentenceSplitter.sentences(SentenceSplitter.split(text)) }

    @Test("Chinese: split after 。！？；… and closing quotes, no spaces needed")
    func chinese() {
        #expect(sentences("今天天气很好。我们去公园吧！你来吗？") == ["今天天气很好。", "我们去公园吧！", "你来吗？"])
        #expect(sentences("他说：“好的。”然后走了……真的吗？！") == ["他说：“好的。”", "然后走了……", "真的吗？！"])
        #expect(sentences("没有句号的句子") == ["没有句号的句子"])
    }

    @Test("English: split at . ! ? before a capital, not after abbreviations, initials or decimals")
    func english() {
        #expect(sentences("Hello there. How are you? I'm fine!") == ["Hello there.", "How are you?", "I'm fine!"])
        #expect(sentences("Mr. Smith met Dr. Jones at 3.30 p.m. today.") == ["Mr. Smith met Dr. Jones at 3.30 p.m. today."])
        #expect(sentences("J. K. Rowling wrote it. It sold well.") == ["J. K. Rowling wrote it.", "It sold well."])
        #expect(sentences("It costs $3.5 million. \"Really?\" she asked.") == ["It costs $3.5 million.", "\"Really?\" she asked."])
        #expect(sentences("see e.g. Fig. 3 for details") == ["see e.g. Fig. 3 for details"])
    }

    @Test("paragraphs, blank lines and indentation survive the round trip")
    func reassembly() {
        let text = "第一句。第二句。\n\n  第三段。\r\n最后"
        let segments = SentenceSplitter.split(text)
        let sents = SentenceSplitter.sentences(segments)
        #expect(sents == ["第一句。", "第二句。", "第三段。", "最后"])
        let en = SentenceSplitter.join(segments, translations: ["One.", "Two.", "Three.", "Last"], targetLanguage: "en")
        #expect(en == "One. Two.\n\n  Three.\r\nLast")
        let identity = SentenceSplitter.join(segments, translations: sents, targetLanguage: "zh")
        #expect(identity == text)
    }

    @Test("<SENT_SPLIT> splits only there and is kept, as in ModelScope")
    func modelScopeSeparator() {
        let segments = SentenceSplitter.split("第一句。第二句。<SENT_SPLIT>第三句")
        #expect(SentenceSplitter.sentences(segments) == ["第一句。第二句。", "第三句"])
        #expect(SentenceSplitter.join(segments, translations: ["A", "B"], targetLanguage: "en") == "A<SENT_SPLIT>B")
    }

    @Test("empty and whitespace-only text")
    func empty() {
        #expect(sentences("").isEmpty)
        #expect(SentenceSplitter.join(SentenceSplitter.split("   \n"), translations: [], targetLanguage: "en") == "   \n")
    }
}
