/* cpus.c — how many CPUs this process may use (kh_cpu_count, khabar.h).
 *
 * Why not sysconf(_SC_NPROCESSORS_ONLN): it counts the machine's CPUs.
 * A process confined by `taskset` or by a container's cpuset to 2 of 64
 * would then start 64 search threads, each with its own index handle,
 * to share 2 CPUs. The affinity mask is what the scheduler will give it. */
#define _GNU_SOURCE     /* sched_getaffinity, CPU_COUNT */
#include <sched.h>

#include "khabar.h"

size_t kh_cpu_count(void)
{
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0)
        return 1;
    int n = CPU_COUNT(&mask);
    return n > 0 ? (size_t)n : 1;
}
