/* fakeproc: stands in for a Kubernetes component inside a lab node.
 *
 * Copied into a node as e.g. /usr/bin/kubelet, it keeps the exact argv the
 * lab gave it (so /proc/<pid>/comm and /proc/<pid>/cmdline look real) and
 * sleeps forever.  Invoked as "lab-init" it is the node's PID 1 instead:
 * it reaps every child and orphan until it is killed from outside.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_child(int sig) { (void)sig; }

static int reap_forever(void)
{
    sigset_t blocked, empty;
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_child;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&empty);
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        sigsuspend(&empty);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

    base = base ? base + 1 : (argc > 0 ? argv[0] : "");
    if (strcmp(base, "lab-init") == 0)
        return reap_forever();
    for (;;)
        pause();
    return 0;
}
