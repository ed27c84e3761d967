/* test_cpus.c — kh_cpu_count counts the CPUs of the process's affinity
 * mask, not the machine's: confined to one CPU (as `taskset -c 0` or a
 * container's cpuset would), the defaults of --threads must see one. */
#define _GNU_SOURCE     /* sched_getaffinity, sched_setaffinity, CPU_* */
#include <sched.h>
#include <stdio.h>

#include "check.h"
#include "khabar.h"

int main(void)
{
    cpu_set_t all;
    CHECK_INT(sched_getaffinity(0, sizeof all, &all), 0);
    CHECK_INT(kh_cpu_count(), CPU_COUNT(&all));
    CHECK(kh_cpu_count() >= 1);

    int first = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE && first < 0; cpu++)
        if (CPU_ISSET(cpu, &all))
            first = cpu;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    CHECK_INT(sched_setaffinity(0, sizeof one, &one), 0);
    CHECK_INT(kh_cpu_count(), 1);

    CHECK_INT(sched_setaffinity(0, sizeof all, &all), 0);
    CHECK_INT(kh_cpu_count(), CPU_COUNT(&all));
    if (CPU_COUNT(&all) == 1)
        printf("note: this process may use one CPU only, so the two counts above are the same\n");
    return check_done();
}
