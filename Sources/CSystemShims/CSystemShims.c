#define _GNU_SOURCE
#include "CSystemShims.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int switchyard_set_thread_affinity(const void *mask, size_t size) {
    return sched_setaffinity(0, size, (const cpu_set_t *)mask) == 0 ? 0 : errno;
}

int switchyard_set_task_affinity(int tid, const void *mask, size_t size) {
    return sched_setaffinity((pid_t)tid, size, (const cpu_set_t *)mask) == 0 ? 0 : errno;
}

int switchyard_get_thread_affinity(void *mask, size_t size) {
    return sched_getaffinity(0, size, (cpu_set_t *)mask) == 0 ? 0 : errno;
}

int switchyard_release_free_heap(void) {
    return malloc_trim(0);
}

int switchyard_lower_thread_priority(void) {
    struct sched_param param = {0};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) == 0) return 0;
    // setpriority on a thread id changes that thread alone on Linux.
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) == 0 ? 0 : errno;
}

int switchyard_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
