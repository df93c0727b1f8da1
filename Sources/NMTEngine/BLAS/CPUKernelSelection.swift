#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses OpenBLAS's CPU kernel before the library is loaded.
///
/// OpenBLAS 0.3.21 falls back to its SSE3 `Prescott` kernels on CPUs newer than it knows (this project's
/// Emerald Rapids machines), which is 5x slower for sgemm. When the user has not set `OPENBLAS_CORETYPE`,
/// we read the CPU feature flags and name the best kernel family the CPU can run.
public struct CPUKernelSelection: Sendable, Equatable {
    /// The `OPENBLAS_CORETYPE` value in effect, or nil when OpenBLAS's own detection was left alone.
    public let coretype: String?
    /// Why: `user` (variable already set), `cpu-flags` (chosen here), or `openblas-detect`.
    public let source: String

    static func applyBeforeLoading() -> CPUKernelSelection {
        if let existing = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }), !existing.isEmpty {
            return CPUKernelSelection(coretype: existing, source: "user")
        }
        guard let flags = cpuFlags(), let chosen = coretype(forFlags: flags) else {
            return CPUKernelSelection(coretype: nil, source: "openblas-detect")
        }
        setenv("OPENBLAS_CORETYPE", chosen, 1)
        return CPUKernelSelection(coretype: chosen, source: "cpu-flags")
    }

    /// The kernel family for a set of `/proc/cpuinfo` flags, or nil to leave OpenBLAS's detection alone.
    static func coretype(forFlags flags: Set<String>) -> String? {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// The `flags` line of the first CPU in `/proc/cpuinfo` (Linux only).
    static func cpuFlags() -> Set<String>? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") || text.hasPrefix("Features") {
                guard let colon = text.firstIndex(of: ":") else { continue }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            }
        }
        return nil
    }
}
