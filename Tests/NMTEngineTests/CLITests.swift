import ConvertWeightsKit
import Foundation
import Testing

/// The `csanmt` and `convert-weights` executables, run as a user would (their output contracts are used by
/// outside checks).
@Suite("Command-line contracts")
struct CLITests {
    /// The build folder holding the test bundle also holds the executables.
    static let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ tool: String, _ args: [String], stdin: String = "", environment: [String: String]? = nil) throws -> Output {
        let p = Process()
        p.executableURL = binDir.appendingPathComponent(tool)
        p.arguments = args
        if let environment { p.environment = environment }
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(stdin.utf8))
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    func convertedModel() throws -> URL {
        let dir = Fixtures.temporaryDirectory().appendingPathComponent("model")
        let r = try Self.run("convert-weights", ["--input", Fixtures.engineCase("eos03").path, "--output", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        return dir
    }

    @Test("translate-ids: one JSON line per input, best first, cut at </s>, equal to the oracle")
    func translateIDs() async throws {
        try await offCooperativePool { [self] in
            let model = try convertedModel()
            defer { try? FileManager.default.removeItem(at: model.deletingLastPathComponent()) }
            let expected = try Expected(case: "eos03")
            let input = expected.sources.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: "\n") + "\n"
            let r = try Self.run("csanmt", ["translate-ids", "--model", model.path, "--beam", "4"], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == expected.sources.count)
            for (b, line) in lines.enumerated() {
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let beams = (obj?["beams"] as? [[Int]]) ?? []
                let scores = (obj?["scores"] as? [Double]) ?? []
                #expect(beams == expected.beam4.seqs[b].map { $0.prefix { $0 != 0 }.map(Int.init) })
                #expect(zip(scores, expected.beam4.scores[b]).allSatisfy { abs($0 - Double($1)) < 1e-4 })
            }
        }
    }

    @Test("inspect names the BLAS kernel, which is never the Prescott fallback")
    func inspect() async throws {
        try await offCooperativePool { [self] in
            let model = try convertedModel()
            defer { try? FileManager.default.removeItem(at: model.deletingLastPathComponent()) }
            let r = try Self.run("csanmt", ["inspect", "--model", model.path])
            #expect(r.status == 0)
            #expect(r.stdout.contains("parameters:   270784"))
            #expect(r.stdout.contains("blas kernel:"))
            #expect(!r.stdout.contains("Prescott"))
        }
    }

    @Test("bad input: malformed JSON names the line; empty input gives empty output; bad ids and folders fail cleanly")
    func badInput() async throws {
        try await offCooperativePool { [self] in
            let model = try convertedModel()
            defer { try? FileManager.default.removeItem(at: model.deletingLastPathComponent()) }
            let malformed = try Self.run("csanmt", ["translate-ids", "--model", model.path], stdin: "[5, 6]\n[7, oops]\n")
            #expect(malformed.status != 0)
            #expect(malformed.stderr.contains("line 2"))
            let empty = try Self.run("csanmt", ["translate-ids", "--model", model.path], stdin: "")
            #expect(empty.status == 0 && empty.stdout.isEmpty)
            let range = try Self.run("csanmt", ["translate-ids", "--model", model.path], stdin: "[5, 100000]\n")
            #expect(range.status != 0 && range.stderr.contains("100000"))
            let long = try Self.run("csanmt", ["translate-ids", "--model", model.path],
                                    stdin: "[" + Array(repeating: "5", count: 300).joined(separator: ",") + "]\n")
            #expect(long.status != 0 && long.stderr.contains("256"))
            let warmup = try Self.run("csanmt", ["translate-ids", "--model", model.path, "--warmup", "101"], stdin: "[5]\n")
            #expect(warmup.status != 0 && warmup.stderr.contains("--warmup"))
            let timed = try Self.run("csanmt", ["translate-ids", "--model", model.path, "--warmup", "1", "--timing"],
                                     stdin: "[5, 6]\n")
            #expect(timed.status == 0 && timed.stderr.contains("\"warmup_s\"") && timed.stdout.contains("beams"))
            let missing = try Self.run("csanmt", ["inspect", "--model", "/nonexistent/model"])
            #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/model"))
        }
    }

    @Test("convert-weights refuses to overwrite without --force")
    func convertOverwrite() async throws {
        try await offCooperativePool { [self] in
            let model = try convertedModel()
            defer { try? FileManager.default.removeItem(at: model.deletingLastPathComponent()) }
            let again = try Self.run("convert-weights", ["--input", Fixtures.engineCase("eos03").path, "--output", model.path])
            #expect(again.status != 0 && again.stderr.contains("--force"))
            let forced = try Self.run("convert-weights", ["--input", Fixtures.engineCase("eos03").path, "--output", model.path, "--force"])
            #expect(forced.status == 0)
        }
    }

    @Test("admin CLI: operator, tenant and key writes leave audit lines (actor cli, OS user, diff, never a key) in a chain that verifies")
    func adminCommandsAreAudited() async throws {
        try await offCooperativePool { [self] in
            let dir = Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let db = dir.appendingPathComponent("tenants.sqlite").path
            let op = try Self.run("csanmt", ["operator", "create", "--db", db, "--id", "alice", "--name", "Alice"])
            #expect(op.status == 0, "\(op.stderr)")
            let operatorKey = op.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(operatorKey.hasPrefix("cso_"))
            #expect(try Self.run("csanmt", ["tenant", "create", "--db", db, "--id", "org_cli", "--name", "CLI"]).status == 0)
            let key = try Self.run("csanmt", ["key", "create", "--db", db, "--tenant", "org_cli", "--scopes", "translate:basic"])
            #expect(key.status == 0, "\(key.stderr)")
            let plaintext = key.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let keyID = key.stdout.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            #expect(try Self.run("csanmt", ["tenant", "update", "--db", db, "--id", "org_cli", "--daily-requests", "7"]).status == 0)
            let refused = try Self.run("csanmt", ["key", "create", "--db", db, "--tenant", "org_cli", "--scopes", "tenant:admin"])
            #expect(refused.status != 0 && refused.stderr.contains("among its tenant's"))

            let logPath = db + ".cli-audit.log"
            let text = try String(contentsOfFile: logPath, encoding: .utf8)
            let lines = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(lines.map { $0["action"] as? String } == ["operator.create", "tenant.create", "key.create", "tenant.update"])
            #expect(lines.allSatisfy { $0["actor"] as? String == "cli" && !($0["os_user"] as? String ?? "").isEmpty })
            let created = lines[2]
            #expect(created["target"] as? String == keyID && created["tenant_id"] as? String == "org_cli")
            #expect(((created["changes"] as? [String: Any])?["scopes"] as? [String: String])?["after"] == #"["translate:basic"]"#)
            let update = (lines[3]["changes"] as? [String: Any])?["daily_requests"] as? [String: String]
            #expect(update == ["after": "7"])
            #expect(!text.contains(plaintext) && !text.contains(operatorKey) && !text.contains("\"hash\""))
            let verify = try Self.run("csanmt", ["audit", "verify", logPath])
            #expect(verify.status == 0 && verify.stdout.contains("chain intact"), "\(verify.stdout)\(verify.stderr)")
            // The master key file was made beside the database, owner-only; the stored secrets are under it.
            let secrets = try Self.run("csanmt", ["db", "secrets", "--db", db])
            #expect(secrets.status == 0 && secrets.stdout.contains(": 2 secret(s)") && !secrets.stdout.contains("plaintext"))
            let mode = (try FileManager.default.attributesOfItem(atPath: db + ".master-key")[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600)
        }
    }

    @Test("tokenize --lang en reads a zh→en folder's English side without weights, as ModelScope's en→zh pipeline does")
    func tokenizeEitherLanguage() async throws {
        try await offCooperativePool { [self] in
            let dir = Fixtures.temporaryDirectory().appendingPathComponent("model")
            defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
            _ = try ModelConverter(input: Fixtures.root.appendingPathComponent("pipeline/zh2en"), output: dir).run()
            try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))   // never needed
            let golden = try String(contentsOf: Fixtures.root.appendingPathComponent("pipeline/en2zh/expected.jsonl"), encoding: .utf8)
            var sentences: [String] = [], ids: [[Int]] = []
            for line in golden.split(separator: "\n") {
                let j = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                sentences += try #require(j["sentences"] as? [String])
                ids += try #require(j["input_ids"] as? [[Int]])
            }
            let r = try Self.run("csanmt", ["tokenize", "--lang", "en", "--model", dir.path], stdin: sentences.joined(separator: "\n") + "\n")
            #expect(r.status == 0, "\(r.stderr)")
            let got = try r.stdout.split(separator: "\n").map { line in
                try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["ids"] as? [Int])
            }
            #expect(got == ids)

            let wrong = try Self.run("csanmt", ["tokenize", "--lang", "fr", "--model", dir.path], stdin: "x\n")
            #expect(wrong.status != 0 && wrong.stderr.contains("the model's languages are zh and en, not fr"), "\(wrong.stderr)")
        }
    }

    @Test("with no --model, the shipped folder tokenises and detokenises both languages")
    func defaultFolderBothLanguages() async throws {
        try await offCooperativePool { [self] in
            let en = try Self.run("csanmt", ["tokenize", "--lang", "en"], stdin: "The weather is nice today.\n")
            #expect(en.status == 0, "\(en.stderr)")
            let line = try #require(try JSONSerialization.jsonObject(with: Data(en.stdout.utf8)) as? [String: Any])
            #expect((line["words"] as? [String]) == ["The", "weather", "is", "nice", "today", "."])
            let zh = try Self.run("csanmt", ["detokenize", "--lang", "zh"], stdin: "今天 天气 很 好 。\n")
            #expect(zh.status == 0 && zh.stdout == "今天天气很好。\n", "\(zh.stdout) \(zh.stderr)")
            let back = try Self.run("csanmt", ["detokenize", "--lang", "en"], stdin: "The wea@@ ther is nice today .\n")
            #expect(back.stdout == "The weather is nice today.\n", "\(back.stdout) \(back.stderr)")
        }
    }

    @Test("translate: each stdin line goes the way its language says, through the model of that direction; --to picks too")
    func translateBothDirections() async throws {
        try await offCooperativePool { [self] in
            let tmp = Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: tmp) }
            var lines: [String] = [], expected: [String] = []
            var folders: [String: String] = [:]
            for direction in ["zh2en", "en2zh"] {
                let dir = tmp.appendingPathComponent(direction)
                _ = try ModelConverter(input: Fixtures.root.appendingPathComponent("pipeline/\(direction)"), output: dir).run()
                folders[direction] = dir.path
                let golden = try String(contentsOf: Fixtures.root.appendingPathComponent("pipeline/\(direction)/expected.jsonl"), encoding: .utf8)
                for line in golden.split(separator: "\n") {
                    let j = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    let text = try #require(j["text"] as? String)
                    guard !text.contains("\n"), !text.contains("<SENT_SPLIT>") else { continue }   // one stdin line each
                    // Only lines whose language is unambiguous: no Latin letter in a zh line, no Han in an en line
                    // (the goldens also hold mixed edge cases, which auto-detection may fairly send either way).
                    let han = text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
                    let latin = text.unicodeScalars.contains { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
                    guard direction == "zh2en" ? han && !latin : latin && !han else { continue }
                    lines.append(text)
                    expected.append(try #require(j["translation"] as? String))
                }
            }
            #expect(lines.count >= 8)
            // Interleave the two directions, so that routing, not order, puts each answer in its place.
            let order = lines.indices.sorted { ($0 % 2, $0) < ($1 % 2, $1) }
            let both = ["translate", "--no-split", "--model", folders["zh2en"]!, "--model", folders["en2zh"]!]
            let r = try Self.run("csanmt", both, stdin: order.map { lines[$0] }.joined(separator: "\n") + "\n")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) == order.map { expected[$0] })

            let toZh = try Self.run("csanmt", both + ["--to", "zh", lines.last!])
            #expect(toZh.status == 0 && toZh.stdout == expected.last! + "\n", "\(toZh.stderr)")
            let missing = try Self.run("csanmt", ["translate", "--model", folders["zh2en"]!, "--to", "zh", "The weather is nice."])
            #expect(missing.status != 0 && missing.stderr.contains("no model translates into zh"), "\(missing.stderr)")
        }
    }

    @Test("translate with no --model: the shipped models serve both directions, by --to or by each line's language")
    func shippedModelsBothWays() async throws {
        try await offCooperativePool { [self] in
            var env = ProcessInfo.processInfo.environment
            env["CSANMT_MODEL"] = nil   // the shipped folders, found next to the binary's source tree
            let toZh = try Self.run("csanmt", ["translate", "--to", "zh", "The weather is nice today."], environment: env)
            #expect(toZh.status == 0, "\(toZh.stderr)")
            #expect(toZh.stdout.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) }.count >= 2, "\(toZh.stdout)")
            let auto = try Self.run("csanmt", ["translate"], stdin: "今天天气很好。\nThe weather is nice today.\n", environment: env)
            #expect(auto.status == 0, "\(auto.stderr)")
            let lines = auto.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.count == 3 && lines[2].isEmpty, "\(auto.stdout)")
            if lines.count == 3 {
                #expect(lines[0].contains { $0.isASCII && $0.isLetter } && lines[0].unicodeScalars.allSatisfy(\.isASCII), "zh line → English: \(lines[0])")
                #expect(lines[1].unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "en line → Chinese: \(lines[1])")
                #expect(lines[1].unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } && toZh.stdout == lines[1] + "\n",
                        "--to zh and auto-detection give the same translation")
            }
        }
    }
}
