import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The OpenBLAS entry points the engine uses, resolved with `dlopen` at first use.
///
/// Why not link `-lopenblas`: OpenBLAS picks its CPU kernel in a library constructor, from
/// `OPENBLAS_CORETYPE` or its own CPU detection. OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons and
/// falls back to the SSE3 "Prescott" kernels, 5x slower. A linked library is initialised before `main`, so the
/// process could not fix that itself. Loading it here lets ``CPUKernelSelection`` set the variable first.
public final class OpenBLAS: @unchecked Sendable {
    typealias SgemmFn = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias SgemvFn = @convention(c) (
        Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
        Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias StringFn = @convention(c) () -> UnsafeMutablePointer<CChar>?
    typealias SetThreadsFn = @convention(c) (Int32) -> Void
    typealias GetThreadsFn = @convention(c) () -> Int32

    // CBLAS enum values (cblas.h).
    static let rowMajor: Int32 = 101
    static let noTrans: Int32 = 111
    static let trans: Int32 = 112

    let sgemmFn: SgemmFn
    let sgemvFn: SgemvFn
    private let corenameFn: StringFn?
    private let configFn: StringFn?
    private let setThreadsFn: SetThreadsFn?
    private let getThreadsFn: GetThreadsFn?
    /// How the kernel was chosen (for `csanmt inspect` and start-up logs).
    public let kernelSelection: CPUKernelSelection
    /// The library file that was loaded.
    public let libraryPath: String
    /// Column width to cut products with few rows into, or nil to call sgemm once (see ``BLAS/skinnyRows``).
    ///
    /// OpenBLAS's AVX-512 builds (SkylakeX and later) have "small matrix" sgemm kernels that read A and B in
    /// place, and take them only for small products (M·N·K up to 10⁶, ``BLAS/smallProductLimit``). A big product
    /// with few rows instead packs all of B first, which for M = 4 costs more than the arithmetic. Cut into 64-column calls, the same
    /// products ran 2–3× faster here (M = 4, K = 1024, N = 4096: 0.50 ms against 1.54 ms; the 18,164 × 256
    /// output projection: 0.44 against 1.09 ms); 32 columns was slower again. The Haswell kernel has no such
    /// path and was 20% slower when cut, so it keeps one call.
    public let skinnyColumnBlock: Int?

    /// The process-wide instance. Loading happens once; failures are remembered and rethrown.
    public static func shared() throws -> OpenBLAS {
        try loaded.get()
    }

    private static let loaded: Result<OpenBLAS, EngineError> = {
        let selection = CPUKernelSelection.applyBeforeLoading()
        let candidates = ["libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
                          "/usr/lib/aarch64-linux-gnu/libopenblas.so.0", "libopenblas.dylib"]
        for path in candidates {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else { continue }
            func sym<T>(_ name: String, _ type: T.Type) -> T? {
                guard let p = dlsym(handle, name) else { return nil }
                return unsafeBitCast(p, to: type)
            }
            guard let gemm = sym("cblas_sgemm", SgemmFn.self), let gemv = sym("cblas_sgemv", SgemvFn.self) else {
                return .failure(.blasUnavailable("\(path) has no cblas_sgemm/cblas_sgemv"))
            }
            return .success(OpenBLAS(
                sgemm: gemm, sgemv: gemv, corename: sym("openblas_get_corename", StringFn.self),
                config: sym("openblas_get_config", StringFn.self),
                setThreads: sym("openblas_set_num_threads", SetThreadsFn.self),
                getThreads: sym("openblas_get_num_threads", GetThreadsFn.self),
                selection: selection, path: path))
        }
        return .failure(.blasUnavailable(
            "could not load OpenBLAS (tried \(candidates.joined(separator: ", "))); install libopenblas0 (Debian: apt-get install libopenblas-dev)"))
    }()

    private init(sgemm: @escaping SgemmFn, sgemv: @escaping SgemvFn, corename: StringFn?, config: StringFn?,
                 setThreads: SetThreadsFn?, getThreads: GetThreadsFn?, selection: CPUKernelSelection, path: String) {
        self.sgemmFn = sgemm
        self.sgemvFn = sgemv
        self.corenameFn = corename
        self.configFn = config
        self.setThreadsFn = setThreads
        self.getThreadsFn = getThreads
        self.kernelSelection = selection
        self.libraryPath = path
        setThreads?(1)
        let core = corename.flatMap { $0() }.map { String(cString: $0).lowercased() } ?? ""
        skinnyColumnBlock = ["skylakex", "cooperlake", "sapphirerapids"].contains(core) ? 64 : nil
    }

    /// The kernel OpenBLAS actually runs, e.g. `SkylakeX` (never `Prescott` on an AVX-512 CPU).
    public var coreName: String {
        guard let f = corenameFn, let p = f() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS's build configuration string.
    public var config: String {
        guard let f = configFn, let p = f() else { return "unknown" }
        return String(cString: p).trimmingTrailingSpaces()
    }

    /// Worker threads the engine splits large products over (default: the active cores).
    ///
    /// OpenBLAS itself runs single-threaded: its own threads wait for each other at the end of every call, so one
    /// busy core slows every product down. The engine instead cuts each large product into more column chunks than
    /// workers (``BLAS/linear(_:rows:_:out:)``), so a worker on a busy core simply takes fewer chunks.
    public var threads: Int {
        get { lock.lock(); defer { lock.unlock() }; return workerCount }
        set { lock.lock(); workerCount = max(1, newValue); lock.unlock() }
    }
    private var workerCount = ProcessInfo.processInfo.activeProcessorCount
    private let lock = NSLock()

    /// OpenBLAS's own thread count (kept at 1; see ``threads``).
    public var libraryThreads: Int { Int(getThreadsFn?() ?? 1) }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while let last = s.last, last == " " || last == "\n" { s.removeLast() }
        return s
    }
}
