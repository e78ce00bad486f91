#ifndef SWITCHYARD_CDNNL_SHIM_H
#define SWITCHYARD_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>

/// `DNNL_MEMORY_ALLOCATE` is a macro, which Swift does not import.
static inline void *switchyard_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
/// `DNNL_MEMORY_NONE`, likewise.
static inline void *switchyard_dnnl_memory_none(void) { return DNNL_MEMORY_NONE; }
/// `DNNL_RUNTIME_DIM_VAL`, likewise.
static inline int64_t switchyard_dnnl_runtime_dim(void) { return DNNL_RUNTIME_DIM_VAL; }

/// Sets the OpenMP team size of the calling thread (Debian's oneDNN uses GNU OpenMP).
void omp_set_num_threads(int);
int omp_get_max_threads(void);

#endif
