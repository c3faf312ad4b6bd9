// oneDNN 2.6 C API. Debian installs the header at /usr/include/dnnl.h (no .pc file).
#include <dnnl.h>
#include <stddef.h>

// Macros Swift cannot import.
static inline void *cdnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
static inline void *cdnnl_memory_none(void) { return DNNL_MEMORY_NONE; }

// omp.h is not on Swift's include path; oneDNN's OpenMP runtime (libgomp) provides these.
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);
