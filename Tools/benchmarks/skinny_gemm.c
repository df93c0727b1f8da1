/* Times one weight product the way the engine issues it, to choose how to cut skinny products
 * (docs/engine.md, "Skinny products"):
 *
 *   C[M, N] += X[M, K] · W,   W stored [K, N] (linear layers)   or   [N, K] with T (the output projection)
 *
 * cut into calls of BLOCK columns and DEPTH-deep parts of K (BLOCK = N and DEPTH = K: one sgemm call).
 *
 *   gcc -O2 Tools/benchmarks/skinny_gemm.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -o /tmp/skinny_gemm
 *   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX /tmp/skinny_gemm M N K BLOCK DEPTH [T]
 *
 * e.g. 4 4096 1024 4096 1024 (one call) against 4 4096 1024 64 1024 (64-column calls); 4 1024 4096 64 2048
 * (the feed-forward output in two halves); 4 50000 1024 64 1024 T (the full model's output projection).
 * Prints the mean milliseconds over 30 repetitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: %s M N K BLOCK DEPTH [T]\n", argv[0]); return 2; }
    int m = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]), block = atoi(argv[4]), depth = atoi(argv[5]);
    int trans = argc > 6 && strcmp(argv[6], "T") == 0;
    if (m < 1 || n < 1 || k < 1 || block < 1 || depth < 1) { fprintf(stderr, "all sizes must be >= 1\n"); return 2; }
    float *x = malloc(sizeof(float) * (size_t)m * k), *w = malloc(sizeof(float) * (size_t)k * n),
          *c = calloc((size_t)m * n, sizeof(float));
    if (!x || !w || !c) { fprintf(stderr, "out of memory\n"); return 1; }
    for (size_t i = 0; i < (size_t)k * n; i++) w[i] = (rand() % 1000) / 1000.0f;
    for (size_t i = 0; i < (size_t)m * k; i++) x[i] = (rand() % 1000) / 1000.0f;
    int ldb = trans ? k : n, reps = 30;
    double t0 = now();
    for (int r = 0; r < reps; r++)
        for (int j = 0; j < n; j += block)
            for (int d = 0; d < k; d += depth) {
                int nb = n - j < block ? n - j : block, kd = k - d < depth ? k - d : depth;
                const float *b = trans ? w + (size_t)j * ldb + d : w + (size_t)d * ldb + j;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, trans ? CblasTrans : CblasNoTrans, m, nb, kd, 1.0f,
                            x + d, k, b, ldb, 1.0f, c + j, n);
            }
    double ms = (now() - t0) / reps * 1e3;
    printf("M=%d N=%d K=%d block=%d depth=%d%s: %.3f ms, %.1f GFLOP/s\n", m, n, k, block, depth,
           trans ? " (W transposed)" : "", ms, 2.0 * m * n * k / ms / 1e6);
    free(x); free(w); free(c);
    return 0;
}
