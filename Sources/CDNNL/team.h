#ifndef SWITCHYARD_CDNNL_TEAM_H
#define SWITCHYARD_CDNNL_TEAM_H
#include <stddef.h>

/// Splitting a kernel's work items over an OpenMP team, for the engine's own kernels.

/// GNU OpenMP's entry point for `#pragma omp parallel`, which Swift cannot compile: runs
/// `function(data)` on a team of `threads`, the calling thread included. It is the same team
/// (and the same spinning worker threads) oneDNN's primitives use on this thread.
void GOMP_parallel(void (*function)(void *), void *data, unsigned threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

/// Computes work items `first ..< last` of `job`.
typedef void (*switchyard_team_range)(const void *job, size_t first, size_t last);

struct switchyard_team_share {
    switchyard_team_range range;
    const void *job;
    size_t items, granule;
};

static void switchyard_team_member(void *argument) {
    const struct switchyard_team_share *share = (const struct switchyard_team_share *)argument;
    size_t members = (size_t)omp_get_num_threads(), member = (size_t)omp_get_thread_num();
    size_t chunk = ((share->items + members - 1) / members + share->granule - 1) / share->granule * share->granule;
    size_t first = member * chunk;
    if (first >= share->items) return;
    share->range(share->job, first, first + chunk < share->items ? first + chunk : share->items);
}

/// The least common multiple of `n` and 16: the values of `n`-wide rows that fill whole 16-lane vectors.
static inline size_t switchyard_lcm16(size_t n) {
    size_t a = n, b = 16;
    while (b) { size_t t = a % b; a = b; b = t; }
    return n / a * 16;
}

/// Runs `range` over `items` work items of `job`: on the calling thread when `threads` is 1 or
/// there is one item, else in contiguous shares over an OpenMP team of `threads` (the team
/// oneDNN's primitives use on this thread), each a multiple of `granule` items (so that, say, no
/// two members write one cache line) but the last.
static inline void switchyard_team_run(switchyard_team_range range, const void *job, size_t items, size_t granule,
                                       int threads) {
    if (threads <= 1 || items < 2) {
        range(job, 0, items);
        return;
    }
    struct switchyard_team_share share = { range, job, items, granule ? granule : 1 };
    GOMP_parallel(switchyard_team_member, &share, (unsigned)threads, 0);
}
#endif
