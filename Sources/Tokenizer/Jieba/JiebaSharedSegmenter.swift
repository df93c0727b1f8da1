import Foundation

/// The segmenter over the bundled jieba 0.42.1 data (`Resources/jieba`), loaded once per process.
extension JiebaSegmenter {
    /// File name of the bundled compiled dictionary, in `Resources/jieba` of the Tokenizer module.
    public static let bundledDictionaryName = "jieba-dict.bin"
    /// File name of the bundled compiled HMM, in `Resources/jieba` of the Tokenizer module.
    public static let bundledHMMName = "jieba-hmm.bin"

    /// The shared segmenter over jieba's default dictionary and HMM, loaded on first use (by one caller; the others
    /// wait) and kept for the life of the process. A failure to load is remembered and thrown to every caller.
    public static func shared() throws -> JiebaSegmenter {
        try bundled.get()
    }

    /// The URL of a bundled data file, `Resources/jieba/<name>` in the module's resource bundle.
    public static func bundledResourceURL(_ name: String) throws -> URL {
        // The copied folder is `Resources` inside the bundle, which swift-corelibs-foundation also takes as the
        // bundle's resource folder (`resourceURL`); both spellings are tried so neither layout is assumed.
        for subdirectory in ["Resources/jieba", "jieba"] {
            if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: subdirectory),
               FileManager.default.fileExists(atPath: url.path) {
                return url
            }
        }
        throw JiebaError.missingResource(name)
    }

    /// Loads the bundled data (uncached; ``shared()`` is the cached one).
    public static func loadBundled() throws -> JiebaSegmenter {
        try JiebaSegmenter(dictionaryURL: bundledResourceURL(bundledDictionaryName),
                           hmmURL: bundledResourceURL(bundledHMMName))
    }

    // A `static let` is initialised exactly once, thread-safely, on first access.
    private static let bundled: Result<JiebaSegmenter, any Error> = Result {
        bundledLoads.increment()
        return try loadBundled()
    }

    /// How many times the bundled data was loaded for ``shared()`` (for tests: at most 1).
    static let bundledLoads = JiebaLoadCounter()
}

/// A counter that can be bumped from any thread.
final class JiebaLoadCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
