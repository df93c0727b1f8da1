import CDNNL
import Foundation

/// oneDNN's int8 matrix product (s8 · s8 → s32), the kernel behind ``ComputeType/int8``.
///
/// Why oneDNN: Debian's libdnnl 2.6 has JIT "brgemm" kernels for AVX-512 VNNI (and AMX), which multiply int8
/// pairs and accumulate in int32 at four times float32's rate, from a weight layout it chooses itself. Debian's
/// OpenBLAS 0.3.21 exports no bf16 `sbgemm` to compare with (checked with `nm -D`).
///
/// Threading follows ``OpenBLAS/threads``: each call is single-threaded (the calling thread's OpenMP team is set
/// to one), and ``BLAS`` runs column blocks concurrently on its own workers, so a busy core takes fewer blocks
/// and no OpenMP thread spins waiting for the others.
public final class OneDNN: @unchecked Sendable {
    /// One column block [inputs, width] of an ``Int8Matrix``, reordered into the layout oneDNN chose for it.
    final class PackedBlock: @unchecked Sendable {
        let start: Int                  // first output (column) of the block
        let width: Int
        let inputs: Int
        var weightsDesc: dnnl_memory_desc_t
        let memory: dnnl_memory_t       // owns the packed bytes

        init(start: Int, width: Int, inputs: Int, weightsDesc: dnnl_memory_desc_t, memory: dnnl_memory_t) {
            self.start = start
            self.width = width
            self.inputs = inputs
            self.weightsDesc = weightsDesc
            self.memory = memory
        }

        deinit { dnnl_memory_destroy(memory) }
    }

    private struct Key: Hashable { let rows, inputs, width: Int }

    /// A product ready to run, with the scratch memory each run must bring.
    ///
    /// Why user scratchpads: Debian's libdnnl is built without `DNNL_ENABLE_CONCURRENT_EXEC`, so the library's own
    /// scratchpad is shared by all threads, and two blocks multiplied at once overwrote each other's partial sums
    /// (the default model's beams changed from run to run). Each call now brings its own.
    private struct Prepared {
        let primitive: dnnl_primitive_t
        var scratchDesc: dnnl_memory_desc_t
        let scratchBytes: Int
    }

    private let engine: dnnl_engine_t
    private var primitives: [Key: Prepared] = [:]
    private let lock = NSLock()
    private var failureCount = 0
    private var lastFailure: Error?
    /// The implementation oneDNN picked for a typical product, e.g. `brg:avx512_core_vnni`.
    public private(set) var implementation = "unknown"

    /// The process-wide instance, created on first use.
    public static func shared() throws -> OneDNN { try created.get() }

    private static let created: Result<OneDNN, EngineError> = Result { try OneDNN() }
        .mapError { $0 as? EngineError ?? .int8Unavailable("\($0)") }

    private init() throws {
        var e: dnnl_engine_t?
        try Self.check(dnnl_engine_create(&e, dnnl_cpu, 0), "creating the CPU engine")
        guard let e else { throw EngineError.int8Unavailable("oneDNN returned no CPU engine") }
        engine = e
        // Probe: the kernel a 4-row product of a 1024 × 1024 block gets (what `csanmt inspect` reports).
        var probe = dnnl_memory_desc_t()
        let pd = try primitiveDesc(rows: 4, inputs: 1024, width: 1024, weights: nil, packed: &probe)
        defer { dnnl_primitive_desc_destroy(pd) }
        var info: UnsafePointer<CChar>?
        if dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info) == dnnl_success, let info {
            implementation = String(cString: info)
        }
    }

    deinit {
        for p in primitives.values { dnnl_primitive_destroy(p.primitive) }
        dnnl_engine_destroy(engine)
    }

    /// How many products have failed so far, and the last failure (see ``BLAS/int8Product``).
    var failures: (count: Int, last: Error?) {
        lock.lock()
        defer { lock.unlock() }
        return (failureCount, lastFailure)
    }

    func recordFailure(_ error: Error) {
        lock.lock()
        failureCount += 1
        lastFailure = error
        lock.unlock()
    }

    /// The row count a product of `rows` rows runs with: exact up to 8 (the decoder's steps), then rounded up to a
    /// multiple of 8 up to 64, then of 64. oneDNN compiles one kernel per row count and shape, and encoder
    /// products have batch × source-length rows, so without rounding the cache of compiled products would grow
    /// with every new length; with it, a shape has at most 8 + 7 + rows/64 of them. The padding rows are zero.
    static func paddedRows(_ rows: Int) -> Int {
        if rows <= 8 { return rows }
        if rows <= 64 { return (rows + 7) / 8 * 8 }
        return (rows + 63) / 64 * 64
    }

    /// How many products are compiled for blocks of `inputs` × `width` (tests: the count must stay bounded).
    func compiledProducts(inputs: Int, width: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return primitives.keys.filter { $0.inputs == inputs && $0.width == width }.count
    }

    /// Output columns per packed block: about 256 Ki weights each, and at least 16 blocks where the matrix is
    /// big enough, so the workers can share a product. Always a multiple of 64, oneDNN's column block.
    static func blockWidth(inputs: Int, outputs: Int) -> Int {
        let byWork = (1 << 18) / max(inputs, 1)
        let byCount = (outputs + 15) / 16
        return max(64, (max(byWork, byCount) + 63) / 64 * 64)
    }

    /// Reorders `m`'s values into packed column blocks (the plain values stay as they are).
    func pack(_ m: Int8Matrix) throws -> [PackedBlock] {
        let width = Self.blockWidth(inputs: m.inputs, outputs: m.outputs)
        var blocks: [PackedBlock] = []
        var stream: dnnl_stream_t?
        try Self.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
        defer { dnnl_stream_destroy(stream) }
        for start in stride(from: 0, to: m.outputs, by: width) {
            let w = min(width, m.outputs - start)
            var packedDesc = dnnl_memory_desc_t()
            let pd = try primitiveDesc(rows: 4, inputs: m.inputs, width: w, weights: nil, packed: &packedDesc)
            dnnl_primitive_desc_destroy(pd)
            // Source: the plain block, element (k, n) at values[(start + n) * inputs + k], i.e. tag `ba`.
            var plainDesc = dnnl_memory_desc_t()
            var dims: (dnnl_dim_t, dnnl_dim_t) = (dnnl_dim_t(m.inputs), dnnl_dim_t(w))
            try withUnsafeMutablePointer(to: &dims) {
                try $0.withMemoryRebound(to: dnnl_dim_t.self, capacity: 2) {
                    try Self.check(dnnl_memory_desc_init_by_tag(&plainDesc, 2, $0, dnnl_s8, dnnl_ba), "describing weights")
                }
            }
            var plain: dnnl_memory_t?, packed: dnnl_memory_t?
            try Self.check(dnnl_memory_create(&plain, &plainDesc, engine, m.values + start * m.inputs), "wrapping weights")
            defer { dnnl_memory_destroy(plain) }
            try Self.check(dnnl_memory_create(&packed, &packedDesc, engine, Self.allocateMemory), "allocating packed weights")
            guard let packed else { throw EngineError.int8Unavailable("oneDNN returned no memory") }
            let block = PackedBlock(start: start, width: w, inputs: m.inputs, weightsDesc: packedDesc, memory: packed)
            var reorderPD: dnnl_primitive_desc_t?
            try Self.check(dnnl_reorder_primitive_desc_create(&reorderPD, &plainDesc, engine, &packedDesc, engine, nil),
                           "planning the weight reorder")
            defer { dnnl_primitive_desc_destroy(reorderPD) }
            var reorder: dnnl_primitive_t?
            try Self.check(dnnl_primitive_create(&reorder, reorderPD), "creating the weight reorder")
            defer { dnnl_primitive_destroy(reorder) }
            var args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: plain),
                        dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: packed)]
            try Self.check(dnnl_primitive_execute(reorder, stream, 2, &args), "reordering weights")
            try Self.check(dnnl_stream_wait(stream), "reordering weights")
            blocks.append(block)
        }
        return blocks
    }

    /// out[rows, block.width] = a[rows, block.inputs] · block, exactly, in int32.
    func multiply(_ a: UnsafePointer<Int8>, rows: Int, _ block: PackedBlock, out: UnsafeMutablePointer<Int32>) throws {
        omp_set_num_threads(1)
        var prepared = try self.prepared(rows: rows, block)
        var srcDesc = try Self.plainDesc(rows, block.inputs, dnnl_s8)
        var dstDesc = try Self.plainDesc(rows, block.width, dnnl_s32)
        var src: dnnl_memory_t?, dst: dnnl_memory_t?, stream: dnnl_stream_t?
        try Self.check(dnnl_memory_create(&src, &srcDesc, engine, UnsafeMutableRawPointer(mutating: a)), "wrapping activations")
        defer { dnnl_memory_destroy(src) }
        try Self.check(dnnl_memory_create(&dst, &dstDesc, engine, out), "wrapping the output")
        defer { dnnl_memory_destroy(dst) }
        try Self.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
        defer { dnnl_stream_destroy(stream) }
        var args = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: src),
                    dnnl_exec_arg_t(arg: DNNL_ARG_WEIGHTS, memory: block.memory),
                    dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: dst)]
        let scratchBytes = UnsafeMutableRawPointer.allocate(byteCount: max(prepared.scratchBytes, 64), alignment: 64)
        defer { scratchBytes.deallocate() }
        var scratch: dnnl_memory_t?
        if prepared.scratchBytes > 0 {
            try Self.check(dnnl_memory_create(&scratch, &prepared.scratchDesc, engine, scratchBytes), "wrapping scratch memory")
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratch))
        }
        defer { if let scratch { dnnl_memory_destroy(scratch) } }
        try Self.check(dnnl_primitive_execute(prepared.primitive, stream, Int32(args.count), &args), "multiplying")
        try Self.check(dnnl_stream_wait(stream), "multiplying")
    }

    /// The cached primitive for `rows` rows times `block`, created on first use (one per row count and shape).
    private func prepared(rows: Int, _ block: PackedBlock) throws -> Prepared {
        let key = Key(rows: rows, inputs: block.inputs, width: block.width)
        lock.lock()
        defer { lock.unlock() }
        if let p = primitives[key] { return p }
        var unused = dnnl_memory_desc_t()
        let pd = try primitiveDesc(rows: rows, inputs: block.inputs, width: block.width, weights: block.weightsDesc,
                                   packed: &unused)
        defer { dnnl_primitive_desc_destroy(pd) }
        var p: dnnl_primitive_t?
        try Self.check(dnnl_primitive_create(&p, pd), "creating the int8 product")
        guard let p else { throw EngineError.int8Unavailable("oneDNN returned no primitive") }
        var scratchDesc = dnnl_memory_desc_t()
        if let d = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0) { scratchDesc = d.pointee }
        let prepared = Prepared(primitive: p, scratchDesc: scratchDesc,
                                scratchBytes: Int(dnnl_memory_desc_get_size(&scratchDesc)))
        primitives[key] = prepared
        return prepared
    }

    /// A matmul description for s8 [rows, inputs] · s8 [inputs, width] → s32 [rows, width]. With `weights` nil,
    /// oneDNN chooses the weight layout, written to `packed`.
    private func primitiveDesc(rows: Int, inputs: Int, width: Int, weights: dnnl_memory_desc_t?,
                               packed: inout dnnl_memory_desc_t) throws -> dnnl_primitive_desc_t {
        var src = try Self.plainDesc(rows, inputs, dnnl_s8)
        var dst = try Self.plainDesc(rows, width, dnnl_s32)
        var wei: dnnl_memory_desc_t
        if let weights {
            wei = weights
        } else {
            wei = dnnl_memory_desc_t()
            var dims: (dnnl_dim_t, dnnl_dim_t) = (dnnl_dim_t(inputs), dnnl_dim_t(width))
            try withUnsafeMutablePointer(to: &dims) {
                try $0.withMemoryRebound(to: dnnl_dim_t.self, capacity: 2) {
                    try Self.check(dnnl_memory_desc_init_by_tag(&wei, 2, $0, dnnl_s8, dnnl_format_tag_any), "describing weights")
                }
            }
        }
        var desc = dnnl_matmul_desc_t()
        try Self.check(dnnl_matmul_desc_init(&desc, &src, &wei, nil, &dst), "describing the int8 product")
        var attr: dnnl_primitive_attr_t?
        try Self.check(dnnl_primitive_attr_create(&attr), "creating attributes")
        defer { dnnl_primitive_attr_destroy(attr) }
        try Self.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "asking for user scratch memory")
        var pd: dnnl_primitive_desc_t?
        try Self.check(dnnl_primitive_desc_create(&pd, &desc, attr, engine, nil), "planning the int8 product")
        guard let pd else { throw EngineError.int8Unavailable("oneDNN returned no primitive description") }
        if weights == nil, let chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0) {
            packed = chosen.pointee
        }
        return pd
    }

    private static func plainDesc(_ rows: Int, _ cols: Int, _ type: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
        var d = dnnl_memory_desc_t()
        var dims: (dnnl_dim_t, dnnl_dim_t) = (dnnl_dim_t(rows), dnnl_dim_t(cols))
        try withUnsafeMutablePointer(to: &dims) {
            try $0.withMemoryRebound(to: dnnl_dim_t.self, capacity: 2) {
                try check(dnnl_memory_desc_init_by_tag(&d, 2, $0, type, dnnl_ab), "describing a \(rows) × \(cols) matrix")
            }
        }
        return d
    }

    /// `DNNL_MEMORY_ALLOCATE`, `(void *)(size_t)-1` in dnnl.h (a macro Swift does not import): oneDNN allocates.
    private static var allocateMemory: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: -1) }

    private static func check(_ status: dnnl_status_t, _ what: String) throws {
        guard status == dnnl_success else {
            throw EngineError.int8Unavailable("oneDNN failed \(what) (status \(status.rawValue))")
        }
    }
}
