#include <stdlib.h>
#include "COpenMPDefaults.h"

// GNU OpenMP's idle team threads spin 300,000 times (about a millisecond) before sleeping, and
// every oneDNN primitive is a parallel region whose end waits for every team member. On a
// machine whose cores other processes also want, a spinning worker burns the time slice the
// thread it waits for needs: measured with YOLOv8n at 2 threads and a load of 13 on 2 cores,
// 0.8-3.3 s per run with the default, 57-250 ms with a spin count of 1000 (ONNX Runtime:
// 110-340 ms). 1000 spins still cover the microseconds between consecutive primitives.
#define SWITCHYARD_SPIN_COUNT 1000
#define SWITCHYARD_TEXT(x) #x
#define SWITCHYARD_STRINGIFY(x) SWITCHYARD_TEXT(x)

static int applied_spin_count = 0;

// libgomp reads its environment once, in a shared-library initializer. An executable's
// .preinit_array runs before any shared library's initializers, so this is the one place
// inside the process where the setting can still take effect.
static void switchyard_openmp_defaults(int argc, char **argv, char **envp) {
    (void)argc;
    (void)argv;
    (void)envp;
    if (getenv("OMP_WAIT_POLICY") == NULL && getenv("GOMP_SPINCOUNT") == NULL) {
        if (setenv("GOMP_SPINCOUNT", SWITCHYARD_STRINGIFY(SWITCHYARD_SPIN_COUNT), 0) == 0) applied_spin_count = SWITCHYARD_SPIN_COUNT;
    }
}

__attribute__((section(".preinit_array"), used))
static void (*const switchyard_openmp_defaults_entry)(int, char **, char **) = switchyard_openmp_defaults;

int switchyard_openmp_default_spin_count(void) { return applied_spin_count; }
