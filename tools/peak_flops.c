/* The most arithmetic this CPU's vector units give, so that `make bench` can say how close a dream
 * step's convolutions come to it: every thread runs independent chains of AVX-512 fused multiply-adds
 * (f32: 32 FLOP an instruction) and, where the CPU has AVX512_BF16, of bf16 dot products (vdpbf16ps:
 * 64 FLOP an instruction), with enough chains in flight to hide the instructions' latency.
 *
 * Usage: cc -O2 tools/peak_flops.c -o peak_flops -lpthread && ./peak_flops [THREADS]
 * Prints `f32_gflop_per_s: X` and, with AVX512_BF16, `bf16_gflop_per_s: Y` for THREADS threads
 * (default 1), each the best of three runs of about 0.15 s.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Instructions a thread runs in one measurement: 12 chains of 100 million. */
enum { CHAINS = 12, ROUNDS = 100000000 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Twelve chains in registers (an FMA's latency of 4 cycles times two FMA pipes is 8 in flight; 12
 * leaves a margin), written in assembly so that no compiler folds, spills or drops them. */
#define CHAIN12(op) \
    op " %%zmm12, %%zmm13, %%zmm0\n\t" op " %%zmm12, %%zmm13, %%zmm1\n\t" op " %%zmm12, %%zmm13, %%zmm2\n\t" \
    op " %%zmm12, %%zmm13, %%zmm3\n\t" op " %%zmm12, %%zmm13, %%zmm4\n\t" op " %%zmm12, %%zmm13, %%zmm5\n\t" \
    op " %%zmm12, %%zmm13, %%zmm6\n\t" op " %%zmm12, %%zmm13, %%zmm7\n\t" op " %%zmm12, %%zmm13, %%zmm8\n\t" \
    op " %%zmm12, %%zmm13, %%zmm9\n\t" op " %%zmm12, %%zmm13, %%zmm10\n\t" op " %%zmm12, %%zmm13, %%zmm11\n\t"
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
    "xmm11", "xmm12", "xmm13", "cc"

static void chainsF32(long rounds) {
    __asm__ volatile("vpxorq %%zmm12, %%zmm12, %%zmm12\n\tvpxorq %%zmm13, %%zmm13, %%zmm13\n\t"
                     "1:\n\t" CHAIN12("vfmadd231ps") "dec %0\n\tjnz 1b"
                     : "+r"(rounds) : : CLOBBERS);
}

static void chainsBF16(long rounds) {
    __asm__ volatile("vpxorq %%zmm12, %%zmm12, %%zmm12\n\tvpxorq %%zmm13, %%zmm13, %%zmm13\n\t"
                     "1:\n\t" CHAIN12("vdpbf16ps") "dec %0\n\tjnz 1b"
                     : "+r"(rounds) : : CLOBBERS);
}

static void *work(void *bf16) {
    if (*(const int *)bf16) chainsBF16(ROUNDS); else chainsF32(ROUNDS);
    return NULL;
}

/* GFLOP/s of `threads` threads running the chains at once, the best of three runs. */
static double measure(int threads, int bf16) {
    double best = 0;
    for (int run = 0; run < 3; run++) {
        pthread_t ids[threads];
        double start = now();
        for (int t = 0; t < threads; t++)
            if (pthread_create(&ids[t], NULL, work, &bf16) != 0) { perror("pthread_create"); exit(1); }
        for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
        double seconds = now() - start;
        double flop = (double)threads * CHAINS * ROUNDS * (bf16 ? 64.0 : 32.0);
        if (flop / seconds / 1e9 > best) best = flop / seconds / 1e9;
    }
    return best;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 256) { fprintf(stderr, "error: THREADS must be 1...256\n"); return 2; }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f")) { fprintf(stderr, "error: this CPU has no AVX-512\n"); return 1; }
    printf("threads: %d\n", threads);
    printf("f32_gflop_per_s: %.1f\n", measure(threads, 0));
    if (__builtin_cpu_supports("avx512bf16")) printf("bf16_gflop_per_s: %.1f\n", measure(threads, 1));
    return 0;
}
