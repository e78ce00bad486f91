// glibc functions that Swift's Glibc module does not export (they need _GNU_SOURCE or
// <malloc.h>), wrapped so the serving code can call them directly.
#ifndef SWITCHYARD_C_SYSTEM_SHIMS_H
#define SWITCHYARD_C_SYSTEM_SHIMS_H

#include <stddef.h>

/// Pins the calling thread to the cores set in `mask` (`size` bytes, bit i = core i).
/// Returns 0, or an errno value.
int switchyard_set_thread_affinity(const void *mask, size_t size);

/// Pins the thread `tid` of this process (a `/proc/self/task` entry) to the cores set in `mask`.
/// Returns 0, or an errno value (ESRCH when the thread has exited).
int switchyard_set_task_affinity(int tid, const void *mask, size_t size);

/// Writes the calling thread's allowed cores into `mask` (`size` bytes). Returns 0, or an errno value.
int switchyard_get_thread_affinity(void *mask, size_t size);

/// Returns freed heap memory at the top and in the middle of glibc's arenas to the system
/// (`malloc_trim(0)`). Returns 1 when memory was released.
int switchyard_release_free_heap(void);

/// Lowers the calling thread to the idle scheduling class (`SCHED_IDLE`), or to nice 19 where
/// that is refused, so it only gets CPU time other threads leave. Returns 0, or an errno value.
int switchyard_lower_thread_priority(void);

/// Names the calling thread for the kernel (`/proc/PID/task/TID/comm`, at most 15 bytes kept).
/// Returns 0, or an errno value.
int switchyard_set_thread_name(const char *name);

#endif
