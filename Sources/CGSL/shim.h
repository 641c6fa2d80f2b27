#ifndef CGSL_SHIM_H
#define CGSL_SHIM_H
/* DiDLab's window on GSL (and on the C library where Swift cannot reach it): the headers we
   use and static inline wrappers for what Swift 6 cannot reach directly. Nothing else lives here. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* The widest x86 vectors the compiler was allowed to use for this build (Swift's -target-cpu
   reaches the Clang importer): 512 (AVX-512F), 256 (AVX2), 128 (the SSE2 baseline), 0 elsewhere.
   `didlab --version` and every benchmark say it. */
static inline int cgsl_compiled_vector_bits(void) {
#if defined(__AVX512F__)
    return 512;
#elif defined(__AVX2__)
    return 256;
#elif defined(__x86_64__)
    return 128;
#else
    return 0;
#endif
}

/* Swift 6 rejects references to C global variables (not concurrency-safe): expose the
   generator types through functions. */
static inline const gsl_rng_type *cgsl_rng_type_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *cgsl_rng_type_ranlxd2(void) { return gsl_rng_ranlxd2; }
static inline const gsl_rng_type *cgsl_rng_type_taus2(void) { return gsl_rng_taus2; }

/* GSL's default error handler aborts the process; DiDLab checks return codes instead. */
static inline void cgsl_disable_abort_on_error(void) { gsl_set_error_handler_off(); }

/* glibc's allocator settings for long runs (see AllocatorTuning.swift): blocks up to
   `mmap_threshold` bytes come from the heap, and free heap memory is returned to the system
   only past `trim_threshold` bytes. Returns 1 when both settings were accepted; 0 where the C
   library is not glibc (nothing is changed there). Swift cannot import <malloc.h>'s constants. */
#if defined(__GLIBC__)
#include <malloc.h>
static inline int cgsl_keep_freed_memory(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
}
#else
static inline int cgsl_keep_freed_memory(int mmap_threshold, int trim_threshold) {
    (void)mmap_threshold; (void)trim_threshold; return 0;
}
#endif

#endif
