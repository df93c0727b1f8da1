import Foundation
import Testing
@testable import NMTEngine

/// int8 compute: quantization, oneDNN's products against a Double reference, and whole models against float32.
@Suite("int8 compute")
struct Int8Tests {
    typealias Rand = OpsTests.Rand

    @Test("quantizing a row and reading it back is off by at most half a step, and the extremes are ±127")
    func roundTrip() {
        var r = Rand(state: 11)
        for count in [1, 7, 13, 256, 1000] {   // 8-lane blocks and a scalar tail
            let x = r.array(count).map { $0 * 3 }
            var q = [Int8](repeating: 0, count: count)
            let scale = Int8Quantizer.quantize(x, count: count, into: &q)
            let maxAbs = x.map(abs).max()!
            #expect(scale == maxAbs / 127)
            #expect(q.map { abs(Int($0)) }.max() == 127)
            for i in 0..<count {
                let back = Double(q[i]) * Double(scale)
                // Half a step, plus the float rounding of x / scale.
                #expect(abs(back - Double(x[i])) <= Double(scale) * 0.5 * (1 + 1e-5), "element \(i) of \(count)")
            }
        }
    }

    @Test("an all-zero row has scale 1; a row with NaN or ∞ has a NaN scale and never traps")
    func edgeRows() {
        var q = [Int8](repeating: 5, count: 4)
        #expect(Int8Quantizer.quantize([0, 0, -0, 0], count: 4, into: &q) == 1)
        #expect(q == [0, 0, 0, 0])
        #expect(Int8Quantizer.quantize([1, .nan, 2, 3], count: 4, into: &q).isNaN)
        #expect(Int8Quantizer.quantize([1, -.infinity, 2, 3], count: 4, into: &q).isNaN)
        #expect(Int8Quantizer.quantize([.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-38, 0], count: 4, into: &q)
                == .greatestFiniteMagnitude / 127)
        #expect(q == [127, -127, 0, 0])
        // The same in the 8-lane part of a longer row.
        var long = [Int8](repeating: 0, count: 20)
        for bad in [Float.nan, .infinity, -.infinity] {
            var row = [Float](repeating: 0.5, count: 20)
            row[3] = bad
            #expect(Int8Quantizer.quantize(row, count: 20, into: &long).isNaN)
        }
        var row = [Float](repeating: 0, count: 20)
        row[2] = -2
        row[17] = 1
        #expect(Int8Quantizer.quantize(row, count: 20, into: &long) == Float(2) / 127)
        #expect(long[2] == -127 && long[17] == 64 && long.enumerated().allSatisfy { [2, 17].contains($0.offset) || $0.element == 0 })
    }

    @Test("a matrix quantized per output unit reads back within half a step of each unit's scale")
    func matrixRoundTrip() {
        var r = Rand(state: 12)
        let inputs = 37, outputs = 21
        let w = r.array(inputs * outputs)   // [in, out], as LinearWeights stores it
        let q = w.withUnsafeBufferPointer { Int8Matrix(inputMajor: $0.baseAddress!, inputs: inputs, outputs: outputs) }
        for n in 0..<outputs {
            let column = (0..<inputs).map { w[$0 * outputs + n] }
            #expect(q.scales[n] == column.map(abs).max()! / 127)
            for k in 0..<inputs {
                #expect(abs(q.dequantized(output: n, input: k) - column[k]) <= q.scales[n] * 0.5 * (1 + 1e-5))
            }
        }
        // The same values read as an embedding [outputs, inputs] quantize to the same thing transposed.
        let e = (0..<outputs).flatMap { n in (0..<inputs).map { k in w[k * outputs + n] } }
        let qe = e.withUnsafeBufferPointer { Int8Matrix(outputMajor: $0.baseAddress!, outputs: outputs, inputs: inputs) }
        #expect((0..<outputs * inputs).allSatisfy { qe.values[$0] == q.values[$0] })
    }

    /// x · W + b through oneDNN, checked two ways against Double arithmetic:
    /// - exactly the product of the quantized values (int32 sums are exact), up to float rounding of the scaling;
    /// - the float product within the quantization bound Σ_k (|x_k|·s_w/2 + |w_k|·s_x/2 + s_x·s_w/4).
    @Test("int8 products equal the quantized product exactly and the float product within the quantization bound",
          arguments: [(1, 5, 1), (1, 256, 300), (3, 64, 63), (4, 1000, 1100), (8, 256, 130), (17, 300, 64), (4, 1024, 4096)])
    func product(_ shape: (Int, Int, Int)) throws {
        let (rows, inputs, outputs) = shape
        let blas = BLAS(lib: try OpenBLAS.shared())
        var r = Rand(state: UInt64(rows * 1000 + inputs))
        let w = r.array(inputs * outputs), b = r.array(outputs), x = r.array(rows * inputs)
        let q = w.withUnsafeBufferPointer { Int8Matrix(inputMajor: $0.baseAddress!, inputs: inputs, outputs: outputs) }
        try q.pack(with: try OneDNN.shared())
        #expect(q.blocks.reduce(0) { $0 + $1.width } == outputs)
        var out = [Float](repeating: .nan, count: rows * outputs)
        b.withUnsafeBufferPointer { bp in
            blas.int8Product(x, rows: rows, q, bias: bp.baseAddress!, out: &out, ldOut: outputs)
        }
        var xq = [Int8](repeating: 0, count: inputs)
        var worstQuantized = 0.0, worstBoundShare = 0.0
        for i in 0..<rows {
            let row = Array(x[i * inputs..<(i + 1) * inputs])
            let sx = Int8Quantizer.quantize(row, count: inputs, into: &xq)
            for j in 0..<outputs {
                var exactInt = 0, float = Double(b[j]), bound = 0.0, magnitude = abs(Double(b[j]))
                let sw = Double(q.scales[j])
                for k in 0..<inputs {
                    exactInt += Int(xq[k]) * Int(q.values[j * inputs + k])
                    let wk = Double(w[k * outputs + j])
                    float += Double(row[k]) * wk
                    bound += abs(Double(row[k])) * sw / 2 + abs(wk) * Double(sx) / 2 + Double(sx) * sw / 4
                    magnitude += abs(Double(row[k]) * wk)
                }
                let got = Double(out[i * outputs + j])
                let quantized = Double(b[j]) + Double(exactInt) * Double(sx) * sw
                worstQuantized = max(worstQuantized, abs(got - quantized) / max(magnitude, 1e-30))
                let tolerance = bound + 1e-5 * magnitude
                worstBoundShare = max(worstBoundShare, abs(got - float) / tolerance)
            }
        }
        #expect(worstQuantized < 1e-5, "relative distance from the exact quantized product")
        #expect(worstBoundShare <= 1, "share of the quantization bound used")
    }

    /// Regression: Debian's libdnnl shares one library scratchpad between threads, so blocks run at once used to
    /// overwrite each other's partial sums. Products run from many threads at once must equal the same run alone.
    @Test("int8 products run concurrently from many threads equal the same products run alone")
    func concurrentProducts() throws {
        let rows = 4, inputs = 1024, outputs = 2048
        let dnnl = try OneDNN.shared()
        let blas = BLAS(lib: try OpenBLAS.shared())
        var r = Rand(state: 5)
        let w = r.array(inputs * outputs), x = r.array(rows * inputs)
        let q = w.withUnsafeBufferPointer { Int8Matrix(inputMajor: $0.baseAddress!, inputs: inputs, outputs: outputs) }
        try q.pack(with: dnnl)
        #expect(q.blocks.count > 1)
        var alone = [Float](repeating: 0, count: rows * outputs)
        blas.int8Product(x, rows: rows, q, bias: nil, out: &alone, ldOut: outputs)
        let runs = 16
        let results = UnsafeMutablePointer<Float>.allocate(capacity: runs * rows * outputs)
        defer { results.deallocate() }
        let shared = UncheckedSendable((blas, q, x, results))
        DispatchQueue.concurrentPerform(iterations: runs) { i in
            let (blas, q, x, results) = shared.value
            blas.int8Product(x, rows: rows, q, bias: nil, out: results + i * rows * outputs, ldOut: outputs)
        }
        for i in 0..<runs {
            #expect(Array(UnsafeBufferPointer(start: results + i * rows * outputs, count: rows * outputs)) == alone, "run \(i)")
        }
    }

    @Test("row counts are rounded to a few sizes, so the compiled products of a shape stay bounded")
    func boundedCompiledProducts() throws {
        let dnnl = try OneDNN.shared()
        let blas = BLAS(lib: try OpenBLAS.shared())
        let inputs = 91, outputs = 77   // a shape no other test uses: one block of 91 × 77
        var r = Rand(state: 17)
        let w = r.array(inputs * outputs)
        let q = w.withUnsafeBufferPointer { Int8Matrix(inputMajor: $0.baseAddress!, inputs: inputs, outputs: outputs) }
        try q.pack(with: dnnl)
        #expect(q.blocks.map(\.width) == [77])
        for rows in 1...300 {
            let x = r.array(rows * inputs)
            var out = [Float](repeating: 0, count: rows * outputs)
            blas.int8Product(x, rows: rows, q, bias: nil, out: &out, ldOut: outputs)
            #expect(out.allSatisfy { $0.isFinite })
        }
        // 1...8, then 16, 24, ..., 64, then 128, 192, 256, 320.
        #expect(dnnl.compiledProducts(inputs: inputs, width: outputs) == 8 + 7 + 4)
        #expect((1...300).map(OneDNN.paddedRows).allSatisfy { [Int](1...8).contains($0) || ($0 <= 64 && $0 % 8 == 0) || $0 % 64 == 0 })
    }

    @Test("on Gaussian-like data the int8 product is within 2% RMS of float32, and the tied projection agrees with linear")
    func typicalError() throws {
        let rows = 4, inputs = 512, outputs = 700
        let dnnl = try OneDNN.shared()
        let blas = BLAS(lib: try OpenBLAS.shared())
        var r = Rand(state: 99)
        // Sum of three uniforms: bell-shaped, like trained weights and activations.
        func bell(_ n: Int) -> [Float] { (0..<n).map { _ in (r.next() + r.next() + r.next()) / 3 } }
        let w = bell(inputs * outputs), x = bell(rows * inputs)
        let zero = [Float](repeating: 0, count: outputs)
        var exact = [Float](repeating: 0, count: rows * outputs), int8 = exact, projected = exact
        w.withUnsafeBufferPointer { wp in
            zero.withUnsafeBufferPointer { zp in
                let l = LinearWeights(w: wp.baseAddress!, b: zp.baseAddress!, inDim: inputs, outDim: outputs)
                blas.linear(x, rows: rows, l, out: &exact)
                let q = Int8Matrix(inputMajor: wp.baseAddress!, inputs: inputs, outputs: outputs)
                try? q.pack(with: dnnl)
                blas.linear(x, rows: rows, LinearWeights(matrix: .int8(q), b: zp.baseAddress!, inDim: inputs, outDim: outputs),
                            out: &int8)
            }
        }
        // The same matrix as a tied embedding [outputs, inputs].
        let e = (0..<outputs).flatMap { n in (0..<inputs).map { k in w[k * outputs + n] } }
        try e.withUnsafeBufferPointer { ep in
            let qe = Int8Matrix(outputMajor: ep.baseAddress!, outputs: outputs, inputs: inputs)
            try qe.pack(with: dnnl)
            blas.projectOntoEmbedding(x, rows: rows, embedding: .int8(qe), vocab: outputs, hidden: inputs, out: &projected)
        }
        let err = zip(exact, int8).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let norm = exact.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect((err / norm).squareRoot() < 0.02)
        #expect(projected == int8)
    }
}

/// Whole models in int8 against the same models in float32 (best beam, beam 4).
@Suite("int8 models against float32")
struct Int8ModelTests {
    static let repo = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()

    /// Best beams of every source, int8 and float32.
    static func bestBeams(_ fp32: CSANMTModel, _ int8: CSANMTModel, _ sources: [[Int32]]) throws -> (same: Int, total: Int) {
        let a = try fp32.translate(sources, options: .init(beamSize: 4)).map { $0[0].tokens }
        let b = try int8.translate(sources, options: .init(beamSize: 4)).map { $0[0].tokens }
        return (zip(a, b).filter { $0 == $1 }.count, a.count)
    }

    @Test("the tiny golden models in int8 give float32's best beam for most sources")
    func tinyGoldenModels() async throws {
        // Whole models decode off the cooperative pool, so the server suites beside this one keep their threads.
        let (same, total, allInt8) = try await offCooperativePool {
            var same = 0, total = 0, allInt8 = true
            for name in Fixtures.engineCases {
                let (fp32, tmp) = try Fixtures.convertAndLoad(name)
                defer { try? FileManager.default.removeItem(at: tmp) }
                let int8 = try CSANMTModel(directory: tmp.appendingPathComponent("model"), compute: .int8)
                allInt8 = allInt8 && int8.compute == .int8 && int8.int8Kernel != nil
                let r = try Self.bestBeams(fp32, int8, try Expected(case: name).sources)
                same += r.same
                total += r.total
            }
            return (same, total, allInt8)
        }
        #expect(allInt8)
        print("int8 tiny goldens: \(same)/\(total) best beams identical to float32")
        #expect(total == 15)
        // Measured: 14/15 (2026-12-06, embeddings int8 too).
        #expect(same * 10 >= total * 8, "\(same)/\(total) identical")
    }

    @Test("the shipped default model in int8 gives float32's best beam on most of its goldens")
    func defaultModel() async throws {
        let folder = Self.repo.appendingPathComponent("Weights/csanmt-zh2en-small")
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("default-model/expected.jsonl"), encoding: .utf8)
        let sources: [[Int32]] = try text.split(separator: "\n").map { line in
            let j = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(j["input_ids"] as? [Int]).map(Int32.init)
        }
        let r = try await offCooperativePool {
            try Self.bestBeams(try CSANMTModel(directory: folder), try CSANMTModel(directory: folder, compute: .int8), sources)
        }
        print("int8 default model: \(r.same)/\(r.total) best beams identical to float32")
        #expect(r.total == 10)
        // Measured: 9/10 (2026-12-06; the embeddings are int8 too).
        #expect(r.same * 10 >= r.total * 8, "\(r.same)/\(r.total) identical")
    }
}

/// Vocabulary shortlists in the engine.
@Suite("vocabulary shortlist")
struct ShortlistTests {
    /// (In int8 the shortlist's columns are scored in float32, from the dequantized rows, so there the same
    /// check would compare two different products.)
    @Test("a shortlist of the whole vocabulary decodes exactly as no shortlist in float32")
    func wholeVocabulary() throws {
        for name in ["prenorm", "batch3"] {
            let (plain, tmp) = try Fixtures.convertAndLoad(name)
            defer { try? FileManager.default.removeItem(at: tmp) }
            let all = VocabularyShortlist(candidates: [:], always: (0..<Int32(plain.config.vocabSize)).map { $0 })
            let sources = try Expected(case: name).sources
            for compute in [ComputeType.float32] {
                let reference = try CSANMTModel(directory: tmp.appendingPathComponent("model"), compute: compute)
                let listed = try CSANMTModel(directory: tmp.appendingPathComponent("model"), compute: compute, shortlist: all)
                #expect(try listed.translate(sources) == reference.translate(sources), "\(name) \(compute)")
            }
        }
    }

    @Test("with a shortlist every output id is a candidate of the input, an always id, or </s>")
    func outputsStayInTheShortlist() throws {
        let (plain, tmp) = try Fixtures.convertAndLoad("prenorm")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let sources = try Expected(case: "prenorm").sources
        let v = Int32(plain.config.vocabSize)
        // Each source id may produce itself and its two neighbours; ids 5 and 6 always.
        var candidates: [Int32: [Int32]] = [:]
        for id in Set(sources.joined()) { candidates[id] = [id, (id + 1) % v, (id + 2) % v] }
        let shortlist = VocabularyShortlist(candidates: candidates, always: [5, 6])
        let model = try CSANMTModel(directory: tmp.appendingPathComponent("model"), shortlist: shortlist)
        let result = try model.translate(sources)
        for (i, hyps) in result.enumerated() {
            let allowed = Set(shortlist.targets(for: [sources[i]], vocabSize: Int(v)))
            let batchAllowed = Set(shortlist.targets(for: sources, vocabSize: Int(v)))
            #expect(allowed.isSubset(of: batchAllowed))
            for h in hyps { #expect(h.tokens.allSatisfy(batchAllowed.contains), "sentence \(i): \(h.tokens)") }
        }
        #expect(shortlist.targets(for: sources, vocabSize: Int(v)).first == 0)
        #expect(result.contains { !$0[0].tokens.isEmpty })
    }
}
