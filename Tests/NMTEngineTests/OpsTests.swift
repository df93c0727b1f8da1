import Foundation
import Testing
@testable import NMTEngine

/// Engine kernels against naive Double-precision references.
@Suite("Ops against naive references")
struct OpsTests {
    /// Deterministic pseudo-random floats in [-1, 1).
    struct Rand {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
        mutating func array(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
    }

    @Test("layer norm: biased variance, epsilon 1e-6, scale and offset")
    func layerNorm() {
        var r = Rand(state: 1)
        let rows = 3, dim = 37
        let x = r.array(rows * dim), scale = r.array(dim), offset = r.array(dim)
        var out = [Float](repeating: 0, count: rows * dim)
        scale.withUnsafeBufferPointer { s in
            offset.withUnsafeBufferPointer { o in
                Kernels.layerNorm(x, rows: rows, dim: dim, NormWeights(scale: s.baseAddress!, offset: o.baseAddress!), out: &out)
            }
        }
        for row in 0..<rows {
            let v = x[(row * dim)..<((row + 1) * dim)].map(Double.init)
            let mean = v.reduce(0, +) / Double(dim)
            let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim)
            for i in 0..<dim {
                let expected = (v[i] - mean) / (variance + 1e-6).squareRoot() * Double(scale[i]) + Double(offset[i])
                #expect(abs(Double(out[row * dim + i]) - expected) < 1e-5)
            }
        }
    }

    @Test("softmax and log-softmax, including -1e9 masked entries")
    func softmax() {
        var x: [Float] = [1, 2, 3, -1e9, 0.5]
        var y = x
        Kernels.softmax(&x, count: x.count)
        Kernels.logSoftmax(&y, count: y.count)
        let e = [1.0, 2, 3, 0.5].map { exp($0) }, z = e.reduce(0, +)
        #expect(abs(Double(x[0]) - e[0] / z) < 1e-6)
        #expect(x[3] == 0)
        #expect(abs(Double(y[2]) - log(e[2] / z)) < 1e-6)
        #expect(abs(x.reduce(0, +) - 1) < 1e-6)
    }

    @Test("exp8: within 2 ulp of expf on [-87, 0], exactly 0 below -87, and 1 at 0")
    func vectorExp() {
        var worst: Float = 0
        for i in 0...100_000 {
            let x = -87 * Float(i) / 100_000
            let got = exp8(SIMD8(repeating: x))[3], want = expf(x)
            worst = max(worst, abs(got - want) / want.ulp)
        }
        #expect(worst <= 2)
        #expect(exp8(SIMD8(repeating: 0))[0] == 1)
        #expect(exp8(SIMD8(repeating: -87.5)) == SIMD8(repeating: 0))
        #expect(exp8(SIMD8(repeating: -1e9)) == SIMD8(repeating: 0))
    }

    @Test("softmax and log-softmax on long rows (8-lane body and scalar tail) against Double", arguments: [7, 8, 203, 1029])
    func longRowSoftmax(_ n: Int) {
        var r = Rand(state: UInt64(n))
        var x = r.array(n).map { $0 * 30 }
        for i in stride(from: 3, to: n, by: 5) { x[i] = -1e9 }   // masked entries in the body and the tail
        var soft = x, logSoft = x
        Kernels.softmax(&soft, count: n)
        Kernels.logSoftmax(&logSoft, count: n)
        let m = Double(x.max()!), z = x.reduce(0.0) { $0 + exp(Double($1) - m) }
        for i in 0..<n {
            let want = exp(Double(x[i]) - m) / z
            #expect(abs(Double(soft[i]) - want) < 1e-6, "softmax[\(i)]")
            if x[i] > -1e8 { #expect(abs(Double(logSoft[i]) - log(want)) < 1e-4, "logSoftmax[\(i)]") }
            else { #expect(soft[i] == 0) }
        }
    }

    @Test("top-k over a beam row equals offering each candidate, ties included")
    func topKRow() {
        var r = Rand(state: 11)
        for n in [5, 64, 200, 1003] {
            // Few distinct values, so many candidates tie.
            var row = r.array(n).map { ($0 * 8).rounded() / 8 - 3 }
            if n > 100 { row[90] = .nan; row[95] = 5 }   // a NaN never enters; the block's real maximum still does
            for (base, penalty) in [(Float(0), Float(1)), (-2.75, 1.37)] {
                var one = TopK(k: 8), block = TopK(k: 8)
                for v in 0..<n { one.offer((base + row[v]) / penalty, 100 + v) }
                row.withUnsafeBufferPointer {
                    block.offer(row: $0.baseAddress!, count: n, base: base, penalty: penalty, first: 100)
                }
                #expect(block.values == one.values && block.indices == one.indices && block.count == one.count)
            }
        }
    }

    @Test("linear through sgemm (rows > 1) and sgemv (one row) equals x·W + b")
    func linear() throws {
        let blas = BLAS(lib: try OpenBLAS.shared())
        var r = Rand(state: 7)
        let inDim = 19, outDim = 23
        let w = r.array(inDim * outDim), b = r.array(outDim)
        for rows in [1, 5] {
            let x = r.array(rows * inDim)
            var out = [Float](repeating: 0, count: rows * outDim)
            w.withUnsafeBufferPointer { wp in
                b.withUnsafeBufferPointer { bp in
                    blas.linear(x, rows: rows, LinearWeights(w: wp.baseAddress!, b: bp.baseAddress!, inDim: inDim, outDim: outDim), out: &out)
                }
            }
            for i in 0..<rows {
                for j in 0..<outDim {
                    var acc = Double(b[j])
                    for k in 0..<inDim { acc += Double(x[i * inDim + k]) * Double(w[k * outDim + j]) }
                    #expect(abs(Double(out[i * outDim + j]) - acc) < 1e-4)
                }
            }
        }
    }

    @Test("skinny products cut along columns and depth equal x·W + b and x·Eᵀ", arguments: [(8, 2100, 150), (4, 300, 130), (3, 4100, 70), (12, 700, 90)])
    func skinnyProducts(_ shape: (Int, Int, Int)) throws {
        let (rows, inDim, outDim) = shape   // 8 × 2100: two 1056-deep parts; 12 rows: one sgemm
        let blas = BLAS(lib: try OpenBLAS.shared())
        var r = Rand(state: UInt64(inDim))
        let w = r.array(inDim * outDim), b = r.array(outDim), x = r.array(rows * inDim)
        var out = [Float](repeating: 0, count: rows * outDim), logits = out
        w.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
                blas.linear(x, rows: rows, LinearWeights(w: wp.baseAddress!, b: bp.baseAddress!, inDim: inDim, outDim: outDim), out: &out)
            }
            // The same weights read as an embedding E [outDim, inDim] (row-major), so logits = x·Eᵀ.
            blas.projectOntoEmbedding(x, rows: rows, embedding: .float32(wp.baseAddress!), vocab: outDim, hidden: inDim, out: &logits)
        }
        var worst = 0.0
        for i in 0..<rows {
            for j in 0..<outDim {
                var acc = Double(b[j]), dot = 0.0
                for k in 0..<inDim {
                    acc += Double(x[i * inDim + k]) * Double(w[k * outDim + j])
                    dot += Double(x[i * inDim + k]) * Double(w[j * inDim + k])
                }
                worst = max(worst, abs(Double(out[i * outDim + j]) - acc), abs(Double(logits[i * outDim + j]) - dot))
            }
        }
        #expect(worst < 1e-3)   // sums of up to 4,100 products of values in [-1, 1)
    }

    @Test("top-k keeps TensorFlow's tie rule: equal values, lower index first")
    func topK() {
        var top = TopK(k: 3)
        for (i, v) in [Float(1), 5, 3, 5, 2, 5].enumerated() { top.offer(v, i) }
        #expect(Array(top.values) == [5, 5, 5])
        #expect(Array(top.indices) == [1, 3, 5])
        top.reset()
        for (i, v) in [Float(0), -1, 0, 2].enumerated() { top.offer(v, i) }
        #expect(Array(top.indices) == [3, 0, 2])
    }

    @Test("half precision round-trips exactly representable values and rounds to nearest even")
    func halfFloat() {
        for v: Float in [0, -0.0, 1, -2.5, 65504, 6.103515625e-05, 5.9604645e-08, .infinity] {
            #expect(HalfFloat.toFloat(HalfFloat.fromFloat(v)) == v)
        }
        #expect(HalfFloat.fromFloat(1 + 1.0 / 4096) == HalfFloat.fromFloat(1))     // halfway: rounds to even
        #expect(HalfFloat.fromFloat(1e6) == 0x7c00)                                  // overflow: +inf
        #expect(HalfFloat.toFloat(HalfFloat.fromFloat(.nan)).isNaN)
    }

    @Test("sinusoidal positions: sin half then cos half, THUMT timescales")
    func positions() {
        let pe = PositionalEncoding(positions: 5, dim: 8)
        #expect(Array(pe.table[0..<8]) == [0, 0, 0, 0, 1, 1, 1, 1])
        let n = 4, inc = log(1e4) / Double(n - 1)
        for i in 0..<n {
            let angle = 3 * exp(-Double(i) * inc)
            #expect(abs(Double(pe.table[3 * 8 + i]) - sin(angle)) < 1e-6)
            #expect(abs(Double(pe.table[3 * 8 + n + i]) - cos(angle)) < 1e-6)
        }
    }

    @Test("the OpenBLAS kernel family follows the CPU flags")
    func cpuKernelChoice() {
        #expect(CPUKernelSelection.coretype(forFlags: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd", "avx2", "fma"]) == "SkylakeX")
        #expect(CPUKernelSelection.coretype(forFlags: ["avx2", "fma"]) == "Haswell")
        #expect(CPUKernelSelection.coretype(forFlags: ["sse3"]) == nil)
    }
}
