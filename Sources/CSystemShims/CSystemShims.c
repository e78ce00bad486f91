#define _GNU_SOURCE
#include "CSystemShims.h"

#include <errno.h>
#include <malloc.h>
#include <sched.h>

int switchyard_set_thread_affinity(const void *mask, size_t size) {
    return sched_setaffinity(0, size, (const cpu_set_t *)mask) == 0 ? 0 : errno;
}

int switchyard_get_thread_affinity(void *mask, size_t size) {
    return sched_getaffinity(0, size, (cpu_set_t *)mask) == 0 ? 0 : errno;
}

int switchyard_release_free_heap(void) {
    return malloc_trim(0);
}
