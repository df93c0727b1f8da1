#if canImport(Glibc)
import Glibc
#endif
import Foundation

// Process-wide settings `csanmt serve` makes before it starts serving, so that an operator need not know them.

/// Raises the soft limit on open files to the hard limit (the default soft limit, often 1024, is below what a
/// server with `max_connections` needs); returns the limit in force.
func raiseDescriptorLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
    }
    return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
}

/// Caps glibc's malloc arenas at `arenas` unless `MALLOC_ARENA_MAX` is set (glibc reads that itself). By default
/// glibc gives each thread that meets contention its own arena, up to 8 per core, and an arena keeps the memory
/// its thread freed. The server's many threads (event loops, the concurrency pool, engine workers, OpenBLAS)
/// then hold growing, fragmented free memory: the soak test's RSS rose in steps with no leak behind it
/// (docs/robustness.md). Returns the cap in force, nil where the C library is not glibc.
@discardableResult
func limitMallocArenas(_ arenas: Int32 = 2) -> Int32? {
    #if canImport(Glibc)
    if let set = getenv("MALLOC_ARENA_MAX").flatMap({ Int32(String(cString: $0)) }) { return set }
    // `mallopt` is declared in <malloc.h>, which the Glibc module leaves out: looked up in the process instead.
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let M_ARENA_MAX: Int32 = -8
    guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "mallopt") else { return nil }
    return unsafeBitCast(symbol, to: Mallopt.self)(M_ARENA_MAX, arenas) == 1 ? arenas : nil
    #else
    return nil
    #endif
}
