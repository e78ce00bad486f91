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

/// `DNNL_ARG_ATTR_MULTIPLE_POST_OP(index)`, a function-like macro: the argument base of
/// post-op number `index` (OR it with `DNNL_ARG_SRC_1` for a binary post-op's operand).
static inline int switchyard_dnnl_arg_post_op(int index) { return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index); }

/// Sets the OpenMP team size of the calling thread (Debian's oneDNN uses GNU OpenMP).
void omp_set_num_threads(int);
int omp_get_max_threads(void);

#endif
