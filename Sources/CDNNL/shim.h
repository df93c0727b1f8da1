// oneDNN (Debian: libdnnl-dev) for the engine's int8 products.
#include <oneapi/dnnl/dnnl.h>

// Debian's libdnnl is built on OpenMP (libgomp). The engine calls oneDNN from its own worker threads, one
// single-threaded call per column chunk, so it sets each calling thread's OpenMP team size to 1 (see OneDNN.swift).
void omp_set_num_threads(int);
