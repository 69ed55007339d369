/*
 * Plain C reference of the studio's FD stencil, for benchmarking only (bench/fd.ts compiles it
 * with `cc -O3 -march=native`). Straightforward loops the compiler may vectorise by itself:
 *   p_next = (2 − κ)·p − (1 − κ)·p_prev + α·L(p),  L = 4th-order Laplacian in units of dx²,
 *   p_next[source] += amplitude[step], receivers recorded after every update.
 * Neighbours beyond the grid wrap periodically (two ghost cells on every side).
 *
 * Usage: fd_reference INPUT OUTPUT REPEATS
 *   INPUT  int32 nz, nx, steps, source_row, source_col, receivers, then float32 alpha[nz·nx],
 *          float32 kappa[nz·nx], float32 amplitude[steps], int32 receiver_index[receivers]
 *   OUTPUT float32 seismic[steps·receivers] of the last repeat
 * Prints `cell_updates_per_second <x>` (wall clock) and `cell_updates_per_cpu_second <x>` for the
 * fastest repeat.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void read_exact(FILE *f, void *dst, size_t bytes) {
  if (fread(dst, 1, bytes, f) != bytes) {
    fprintf(stderr, "fd_reference: input file too short\n");
    exit(2);
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fd_reference INPUT OUTPUT REPEATS\n");
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (!in) {
    perror(argv[1]);
    return 2;
  }
  int32_t header[6];
  read_exact(in, header, sizeof header);
  const int nz = header[0], nx = header[1], steps = header[2], src_row = header[3], src_col = header[4], nrec = header[5];
  const int repeats = atoi(argv[3]) > 0 ? atoi(argv[3]) : 1;
  const int stride = nx + 4, rows = nz + 4;
  float *alpha = malloc(sizeof(float) * nz * nx), *kappa = malloc(sizeof(float) * nz * nx);
  float *amplitude = malloc(sizeof(float) * steps);
  int32_t *receiver = malloc(sizeof(int32_t) * nrec);
  read_exact(in, alpha, sizeof(float) * nz * nx);
  read_exact(in, kappa, sizeof(float) * nz * nx);
  read_exact(in, amplitude, sizeof(float) * steps);
  read_exact(in, receiver, sizeof(int32_t) * nrec);
  fclose(in);

  float *p = calloc((size_t)rows * stride, sizeof(float));
  float *pp = calloc((size_t)rows * stride, sizeof(float));
  float *seismic = malloc(sizeof(float) * steps * nrec);
  double best = 1e30, best_cpu = 1e30;

  for (int rep = 0; rep < repeats; rep++) {
    memset(p, 0, sizeof(float) * rows * stride);
    memset(pp, 0, sizeof(float) * rows * stride);
    const double start = clock_seconds(CLOCK_MONOTONIC), start_cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (int step = 0; step < steps; step++) {
      /* periodic ghosts */
      for (int z = 0; z < nz; z++) {
        float *r = p + (z + 2) * stride + 2;
        r[-2] = r[nx - 2];
        r[-1] = r[nx - 1];
        r[nx] = r[0];
        r[nx + 1] = r[1];
      }
      memcpy(p + 0 * stride, p + nz * stride, sizeof(float) * stride);
      memcpy(p + 1 * stride, p + (nz + 1) * stride, sizeof(float) * stride);
      memcpy(p + (nz + 2) * stride, p + 2 * stride, sizeof(float) * stride);
      memcpy(p + (nz + 3) * stride, p + 3 * stride, sizeof(float) * stride);

      for (int z = 0; z < nz; z++) {
        const float *c = p + (z + 2) * stride + 2;
        float *o = pp + (z + 2) * stride + 2;
        const float *a = alpha + z * nx, *k = kappa + z * nx;
        for (int x = 0; x < nx; x++) {
          const float lap = 4.0f / 3.0f * (c[x - 1] + c[x + 1] + c[x - stride] + c[x + stride]) -
                            1.0f / 12.0f * (c[x - 2] + c[x + 2] + c[x - 2 * stride] + c[x + 2 * stride]) - 5.0f * c[x];
          o[x] = (2.0f - k[x]) * c[x] - (1.0f - k[x]) * o[x] + a[x] * lap;
        }
      }
      float *swap = p;
      p = pp;
      pp = swap;
      p[(src_row + 2) * stride + src_col + 2] += amplitude[step];
      for (int r = 0; r < nrec; r++) {
        const int row = receiver[r] / nx, col = receiver[r] % nx;
        seismic[step * nrec + r] = p[(row + 2) * stride + col + 2];
      }
    }
    const double elapsed = clock_seconds(CLOCK_MONOTONIC) - start, cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - start_cpu;
    if (elapsed < best) best = elapsed;
    if (cpu < best_cpu) best_cpu = cpu;
  }
  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(seismic, sizeof(float), (size_t)steps * nrec, out) != (size_t)steps * nrec) {
    perror(argv[2]);
    return 2;
  }
  fclose(out);
  printf("cell_updates_per_second %.6e\n", (double)nz * nx * steps / best);
  printf("cell_updates_per_cpu_second %.6e\n", (double)nz * nx * steps / best_cpu);
  return 0;
}
