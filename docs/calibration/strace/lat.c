/* Kernel time of stat() against open()+close() and fstat() of a cached header (issue 15: stat's share of open's path).
   Best of 7 rounds of 200000 calls each, so the load of the machine inflates neither figure much. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/usr/include/stdio.h";
  const int n = 200000;
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  struct stat st;
  int fd0 = open(path, O_RDONLY);
  for (int round = 0; round < 7; round++) {
    double t0 = now();
    for (int i = 0; i < n; i++) getppid();
    double t1 = now();
    for (int i = 0; i < n; i++) fstat(fd0, &st);
    double t2 = now();
    for (int i = 0; i < n; i++) stat(path, &st);
    double t3 = now();
    for (int i = 0; i < n; i++) close(open(path, O_RDONLY));
    double t4 = now();
    double d[4] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
    for (int k = 0; k < 4; k++) if (d[k] / n < best[k]) best[k] = d[k] / n;
  }
  printf("path %s\nnull (getppid) %.1f ns\nfstat %.1f ns\nstat %.1f ns\nopen+close %.1f ns\n", path, best[0], best[1], best[2], best[3]);
  printf("(stat - null) / (open+close - null) = %.3f\n", (best[2] - best[0]) / (best[3] - best[0]));
  return 0;
}
