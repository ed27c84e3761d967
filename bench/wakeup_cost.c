/* wakeup_cost.c — what one wake-up costs on this machine: a byte sent back
 * and forth over two pipes between two threads of one process, or between
 * two processes, on the same CPU or on two CPUs. Every round trip is two
 * wake-ups and four system calls, and nothing else.
 *
 * Why it is here: over HTTP every answer wakes the client (wrk), which
 * sleeps while its requests are out; calling the library in-process wakes
 * nobody. On a virtual machine a wake-up, and a switch between two
 * processes, can cost far more than on bare metal, and this puts a number
 * on it for docs/api.md ("What a wake-up costs").
 *
 * usage: wakeup_cost [ROUND_TRIPS=200000]
 * Prints one line per case: microseconds per round trip. Needs 2 CPUs for
 * the cross-CPU cases (it says so and skips them otherwise).
 *
 * cc -O2 -std=c17 bench/wakeup_cost.c -o wakeup_cost -lpthread */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct echo_side {
    int from, to;       /* pipe ends: read a byte from `from`, write it to `to` */
    int cpu;
    long round_trips;
} echo_side;

static int pin_to(int cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof one, &one);
}

/* The far side: echoes every byte back until the round trips are done. */
static void *echo(void *arg)
{
    echo_side *e = arg;
    pin_to(e->cpu);
    char c;
    for (long i = 0; i < e->round_trips; i++)
        if (read(e->from, &c, 1) != 1 || write(e->to, &c, 1) != 1)
            break;
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One case: the near side on near_cpu, the echo on far_cpu, in a thread or
 * a child process. Returns microseconds per round trip, or -1. */
static double measure(int as_process, int near_cpu, int far_cpu, long round_trips)
{
    int there[2], back[2];
    if (pipe(there) != 0 || pipe(back) != 0)
        return -1;
    echo_side e = {.from = there[0], .to = back[1], .cpu = far_cpu, .round_trips = round_trips};
    pthread_t thread;
    pid_t child = -1;
    if (as_process) {
        child = fork();
        if (child == 0) {
            echo(&e);
            _exit(0);
        }
        if (child < 0)
            return -1;
    } else if (pthread_create(&thread, NULL, echo, &e) != 0) {
        return -1;
    }
    pin_to(near_cpu);
    char c = 'x';
    double t0 = now();
    for (long i = 0; i < round_trips; i++)
        if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
            break;
    double us = (now() - t0) * 1e6 / (double)round_trips;
    if (as_process)
        waitpid(child, NULL, 0);
    else
        pthread_join(thread, NULL);
    close(there[0]);
    close(there[1]);
    close(back[0]);
    close(back[1]);
    return us;
}

int main(int argc, char **argv)
{
    long round_trips = argc > 1 ? atol(argv[1]) : 200000;
    if (round_trips < 1) {
        fprintf(stderr, "usage: wakeup_cost [ROUND_TRIPS]\n");
        return 2;
    }
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        perror("sched_getaffinity");
        return 1;
    }
    int cpus[2], n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
        if (CPU_ISSET(cpu, &allowed))
            cpus[n++] = cpu;
    for (int as_process = 0; as_process <= 1; as_process++)
        for (int apart = 0; apart <= 1; apart++) {
            if (apart && n < 2) {
                printf("%s, two CPUs: skipped, this process may use one CPU\n", as_process ? "processes" : "threads");
                continue;
            }
            double us = measure(as_process, cpus[0], cpus[apart], round_trips);
            printf("%s, %s: %.2f us per round trip (%ld round trips)\n", as_process ? "two processes" : "two threads",
                   apart ? "two CPUs" : "one CPU", us, round_trips);
        }
    return 0;
}
