/*
 * FD acoustic kernel of WaveDiffusion Studio: one shot of the 2D constant-density wave equation
 * p_tt = v²∇²p + s, leapfrog in time, 4th-order Laplacian in space, damping sponge.
 *
 * Compiled twice from this one source:
 *   - WebAssembly SIMD-128: scripts/build-wasm.mjs (clang --target=wasm32 -msimd128 -O3 -nostdlib),
 *     FD_VEC_BYTES = 16;
 *   - the N-API addon native/addon (node-gyp, -O3 -march=native), FD_VEC_BYTES = 32 or 64.
 * It must give the numbers of the TypeScript reference (main/core/physics/kernelTs.ts) to float
 * rounding. No libc: only what clang/gcc lower to plain instructions.
 *
 * Per step, with κ = damping·dt and α = (v·dt/dx)² per cell:
 *   ghosts of p (periodic wrap; for a free surface odd mirror above row 0, zeros below)
 *   p_next = (2 − κ)·p − (1 − κ)·p_prev + α·L(p),   written over p_prev, then p and p_prev swap
 *   L(p) = 4/3·(p[x±1] + p[z±1]) − 1/12·(p[x±2] + p[z±2]) − 5·p            (units of dx²)
 *   κ(row, col) = kappa_x[col] + z_mask[col]·kappa_z[row]
 *   p_next[source] += amplitude[step]; record receivers; snapshot.
 *
 * Memory layout of the working fields (all 64-byte aligned): rows of `stride` floats, two ghost
 * rows above and below, column 0 at FD_LEAD floats into its row (the two left ghost columns sit
 * just before it), `stride` a multiple of 16 floats, so every row starts on a 64-byte boundary.
 * The inner loop runs over a multiple of 16 columns; columns past nx_pad have α = κ = 0 and
 * only ever hold ghost copies or zeros, so they need no branch.
 */
#include <stddef.h>
#include <stdint.h>

#ifndef FD_VEC_BYTES
#define FD_VEC_BYTES 16
#endif
#define FD_VW (FD_VEC_BYTES / 4)
#ifndef FD_ROW_BLOCK
#define FD_ROW_BLOCK 2
#endif
#define FD_LEAD 16
#define FD_GHOST 2

#if defined(__wasm__)
#define FD_EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#else
#define FD_EXPORT(name)
#endif

typedef float fd_vec __attribute__((vector_size(FD_VEC_BYTES)));

static inline fd_vec fd_load(const float *p) {
  fd_vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void fd_store(float *p, fd_vec v) { __builtin_memcpy(p, &v, sizeof v); }

/* Every lane x (a scalar operand broadcasts; a lane loop would go through stack memory in wasm). */
static inline fd_vec fd_splat(float x) { return (fd_vec){0} + x; }

static inline size_t fd_round16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Floats per row of the working fields. */
static inline size_t fd_stride(int nx_pad) { return FD_LEAD + fd_round16((size_t)nx_pad + FD_GHOST); }

/* Columns the inner loop computes: nx_pad rounded up to 16. */
static inline size_t fd_width(int nx_pad) { return fd_round16((size_t)nx_pad); }

static inline size_t fd_field_floats(int nz_pad, int nx_pad) {
  /* One spare row: the last computed row's right neighbours may read into it. */
  return ((size_t)nz_pad + 2 * FD_GHOST + 1) * fd_stride(nx_pad);
}

/* Row vectors kept in the workspace: κ_x, z_mask, 2 − κ_x, 1 − κ_x (sponge), or the PML's a_x and b_x. */
#define FD_ROW_VECTORS 4

/*
 * Floats of workspace fd_run_shot needs: p, p_prev, α in the strided layout, two row vectors,
 * and for a PML four more fields (Ψx, Ψz, Zx, Zz).
 */
FD_EXPORT(fd_workspace_floats)
size_t fd_workspace_floats(int nz_pad, int nx_pad, int pml) {
  return (pml ? 7 : 3) * fd_field_floats(nz_pad, nx_pad) + FD_ROW_VECTORS * fd_width(nx_pad) + 16;
}

/* Ghost rows and columns of p: periodic wrap; for a free surface an odd mirror above row 0 and zeros below. */
static void fd_fill_ghosts(float *restrict p, int nz_pad, int nx_pad, size_t stride, size_t width, int free_surface) {
  float *origin = p + FD_GHOST * stride + FD_LEAD; /* cell (0, 0) */
  for (int row = 0; row < nz_pad; row++) {
    float *r = origin + (size_t)row * stride;
    r[-2] = r[nx_pad - 2];
    r[-1] = r[nx_pad - 1];
    r[nx_pad] = r[0];
    r[nx_pad + 1] = r[1];
  }
  float *above1 = origin - stride, *above2 = origin - 2 * stride;
  float *below1 = origin + (size_t)nz_pad * stride, *below2 = below1 + stride;
  const float *row0 = origin, *row1 = origin + stride;
  if (free_surface) {
    const float *row2 = origin + 2 * stride;
    for (size_t c = 0; c < width; c++) {
      above1[c] = -row1[c];
      above2[c] = -row2[c];
    }
  } else {
    const float *last = origin + (size_t)(nz_pad - 1) * stride, *last2 = last - stride;
    for (size_t c = 0; c < width; c++) {
      above1[c] = last[c];
      above2[c] = last2[c];
    }
  }
  /* With a free surface the bottom does not wrap to the surface rows (that one-way coupling
     would break reciprocity): zeros below. */
  for (size_t c = 0; c < width; c++) {
    below1[c] = free_surface ? 0.0f : row0[c];
    below2[c] = free_surface ? 0.0f : row1[c];
  }
}

/* α rows: padded rows repeat the model's edge rows (edge-replicated padding), so the sponge rows
   read one row that stays in L1 instead of streaming their own copy. */
static inline const float *fd_alpha_row(const float *alpha, int row, int pad_top, int nz, size_t stride) {
  int model_row = row - pad_top;
  if (model_row < 0) model_row = 0;
  if (model_row > nz - 1) model_row = nz - 1;
  return alpha + (size_t)(model_row + pad_top + FD_GHOST) * stride + FD_LEAD;
}

enum { FD_SPAN_SPONGE, FD_SPAN_CONSTANT, FD_SPAN_MIXED };

/*
 * Updates columns [begin, end) of rows `row` and `row + 1` (when `two_rows`), sharing the loads of
 * the column above and below. `mode` is a constant at every call, so each call compiles to its own
 * branch-free loop:
 *   FD_SPAN_SPONGE   κ = κ_x[c]: (2 − κ) and (1 − κ) from the precomputed c1x, c2x;
 *   FD_SPAN_CONSTANT κ = κ_z[row] for the whole span (between the x-sponges);
 *   FD_SPAN_MIXED    κ = κ_x[c] + z_mask[c]·κ_z[row] (vectors straddling an x-sponge edge).
 * All three give the bits of the general formula (z_mask is 0 or 1, κ_x is 0 where z_mask is 1).
 */
static inline __attribute__((always_inline)) void fd_span(
    const float *restrict pc, float *restrict pp, const float *restrict a0, const float *restrict a1,
    const float *restrict kappa_x, const float *restrict z_mask, const float *restrict c1x, const float *restrict c2x,
    float kz0_scalar, float kz1_scalar, size_t stride, size_t begin, size_t end, int mode, int two_rows) {
  const fd_vec near = fd_splat(4.0f / 3.0f), far = fd_splat(-1.0f / 12.0f), centre = fd_splat(-5.0f);
  const fd_vec two = fd_splat(2.0f), one = fd_splat(1.0f);
  const fd_vec kz0 = fd_splat(kz0_scalar), kz1 = fd_splat(kz1_scalar);
  const fd_vec c1z0 = fd_splat(2.0f - kz0_scalar), c2z0 = fd_splat(1.0f - kz0_scalar);
  const fd_vec c1z1 = fd_splat(2.0f - kz1_scalar), c2z1 = fd_splat(1.0f - kz1_scalar);
  const size_t s2 = 2 * stride;
  for (size_t c = begin; c < end; c += FD_VW) {
    const float *q = pc + c;
    /* Column c in rows row−2 … row+3. */
    const fd_vec up2 = fd_load(q - s2), up1 = fd_load(q - stride), mid0 = fd_load(q), mid1 = fd_load(q + stride);
    const fd_vec down2 = fd_load(q + s2);
    fd_vec c1_0, c2_0, c1_1, c2_1;
    if (mode == FD_SPAN_SPONGE) {
      c1_0 = c1_1 = fd_load(c1x + c);
      c2_0 = c2_1 = fd_load(c2x + c);
    } else if (mode == FD_SPAN_CONSTANT) {
      c1_0 = c1z0, c2_0 = c2z0, c1_1 = c1z1, c2_1 = c2z1;
    } else {
      const fd_vec kx = fd_load(kappa_x + c), zm = fd_load(z_mask + c);
      const fd_vec kappa0 = kx + zm * kz0, kappa1 = kx + zm * kz1;
      c1_0 = two - kappa0, c2_0 = one - kappa0, c1_1 = two - kappa1, c2_1 = one - kappa1;
    }
    {
      const fd_vec near_sum = (fd_load(q - 1) + fd_load(q + 1)) + (up1 + mid1);
      const fd_vec far_sum = (fd_load(q - 2) + fd_load(q + 2)) + (up2 + down2);
      const fd_vec laplacian = near * near_sum + far * far_sum + centre * mid0;
      fd_store(pp + c, c1_0 * mid0 - c2_0 * fd_load(pp + c) + fd_load(a0 + c) * laplacian);
    }
    if (two_rows) {
      const float *q1 = q + stride;
      const fd_vec down3 = fd_load(q1 + s2);
      const fd_vec near_sum = (fd_load(q1 - 1) + fd_load(q1 + 1)) + (mid0 + down2);
      const fd_vec far_sum = (fd_load(q1 - 2) + fd_load(q1 + 2)) + (up1 + down3);
      const fd_vec laplacian = near * near_sum + far * far_sum + centre * mid1;
      fd_store(pp + stride + c, c1_1 * mid1 - c2_1 * fd_load(pp + stride + c) + fd_load(a1 + c) * laplacian);
    }
  }
}

/*
 * One update of every padded cell, written over p_prev, two rows at a time. κ is split by column
 * span (see fd_span): [0, va) x-sponge, [va, vb) mixed, [vb, vc) between the x-sponges,
 * [vc, vd) mixed, [vd, width) x-sponge, all vector-aligned.
 */
static void fd_update(const float *restrict p, float *restrict p_prev, const float *restrict alpha,
                      const float *restrict kappa_x, const float *restrict z_mask, const float *restrict c1x,
                      const float *restrict c2x, const float *restrict kappa_z, int nz_pad, int pad_top, int nz,
                      int pad_left, int nx, size_t stride, size_t width) {
  size_t va = (size_t)pad_left / FD_VW * FD_VW;
  size_t vb = ((size_t)pad_left + FD_VW - 1) / FD_VW * FD_VW;
  size_t vc = ((size_t)pad_left + (size_t)nx) / FD_VW * FD_VW;
  size_t vd = ((size_t)pad_left + (size_t)nx + FD_VW - 1) / FD_VW * FD_VW;
  if (vc < vb) vc = vb; /* an interior narrower than a vector: all mixed */
  if (vd < vc) vd = vc;
  int row = 0;
  /* Two rows at a time: the column loads between them are shared (about 10% faster in wasm). */
  for (; FD_ROW_BLOCK == 2 && row + 1 < nz_pad; row += 2) {
    const size_t base = (size_t)(row + FD_GHOST) * stride + FD_LEAD;
    const float *a0 = fd_alpha_row(alpha, row, pad_top, nz, stride), *a1 = fd_alpha_row(alpha, row + 1, pad_top, nz, stride);
    const float k0 = kappa_z[row], k1 = kappa_z[row + 1];
    fd_span(p + base, p_prev + base, a0, a1, kappa_x, z_mask, c1x, c2x, k0, k1, stride, 0, va, FD_SPAN_SPONGE, 1);
    fd_span(p + base, p_prev + base, a0, a1, kappa_x, z_mask, c1x, c2x, k0, k1, stride, va, vb, FD_SPAN_MIXED, 1);
    fd_span(p + base, p_prev + base, a0, a1, kappa_x, z_mask, c1x, c2x, k0, k1, stride, vb, vc, FD_SPAN_CONSTANT, 1);
    fd_span(p + base, p_prev + base, a0, a1, kappa_x, z_mask, c1x, c2x, k0, k1, stride, vc, vd, FD_SPAN_MIXED, 1);
    fd_span(p + base, p_prev + base, a0, a1, kappa_x, z_mask, c1x, c2x, k0, k1, stride, vd, width, FD_SPAN_SPONGE, 1);
  }
  for (; row < nz_pad; row++) {
    const size_t base = (size_t)(row + FD_GHOST) * stride + FD_LEAD;
    const float *a0 = fd_alpha_row(alpha, row, pad_top, nz, stride);
    const float k0 = kappa_z[row];
    fd_span(p + base, p_prev + base, a0, a0, kappa_x, z_mask, c1x, c2x, k0, k0, stride, 0, va, FD_SPAN_SPONGE, 0);
    fd_span(p + base, p_prev + base, a0, a0, kappa_x, z_mask, c1x, c2x, k0, k0, stride, va, vb, FD_SPAN_MIXED, 0);
    fd_span(p + base, p_prev + base, a0, a0, kappa_x, z_mask, c1x, c2x, k0, k0, stride, vb, vc, FD_SPAN_CONSTANT, 0);
    fd_span(p + base, p_prev + base, a0, a0, kappa_x, z_mask, c1x, c2x, k0, k0, stride, vc, vd, FD_SPAN_MIXED, 0);
    fd_span(p + base, p_prev + base, a0, a0, kappa_x, z_mask, c1x, c2x, k0, k0, stride, vd, width, FD_SPAN_SPONGE, 0);
  }
}

/* The odd mirror above a free surface, p(−k) = −p(k), for the PML (whose other ghosts stay 0). */
static void fd_mirror_free_surface(float *restrict p, size_t stride, size_t width) {
  float *origin = p + FD_GHOST * stride + FD_LEAD;
  for (size_t c = 0; c < width; c++) {
    origin[c - stride] = -origin[c + stride];
    origin[c - 2 * stride] = -origin[c + 2 * stride];
  }
}

/*
 * One PML step (main/core/physics/paddedGrid.ts, PmlCoefficients), in units of dx:
 *   Ψx ← bx·Ψx + ax·Dx p, Ψz likewise (first pass, every cell),
 *   Zx ← bx·Zx + ax·(Lx + Dx Ψx), Zz likewise,
 *   p_next = 2p − p_prev + α·((Lx + Lz) + (Dx Ψx + Dz Ψz) + (Zx + Zz))   (second pass).
 * D is the 4th-order first difference (8·(f₊₁ − f₋₁) − (f₊₂ − f₋₂))/12.
 */
static void fd_update_pml(const float *restrict p, float *restrict p_prev, const float *restrict alpha,
                          float *restrict psi_x, float *restrict psi_z, float *restrict zeta_x, float *restrict zeta_z,
                          const float *restrict ax, const float *restrict bx, const float *restrict az,
                          const float *restrict bz, int nz_pad, int pad_top, int nz, size_t stride, size_t width) {
  const fd_vec d1_near = fd_splat(8.0f / 12.0f), d1_far = fd_splat(1.0f / 12.0f);
  const fd_vec near = fd_splat(4.0f / 3.0f), far = fd_splat(-1.0f / 12.0f), centre1 = fd_splat(-2.5f), two = fd_splat(2.0f);
  const size_t s2 = 2 * stride;
  for (int row = 0; row < nz_pad; row++) {
    const size_t base = (size_t)(row + FD_GHOST) * stride + FD_LEAD;
    const float *restrict pc = p + base;
    float *restrict px = psi_x + base;
    float *restrict pz = psi_z + base;
    const fd_vec azr = fd_splat(az[row]), bzr = fd_splat(bz[row]);
    for (size_t c = 0; c < width; c += FD_VW) {
      const fd_vec dx = d1_near * (fd_load(pc + c + 1) - fd_load(pc + c - 1)) - d1_far * (fd_load(pc + c + 2) - fd_load(pc + c - 2));
      const fd_vec dz = d1_near * (fd_load(pc + c + stride) - fd_load(pc + c - stride)) - d1_far * (fd_load(pc + c + s2) - fd_load(pc + c - s2));
      fd_store(px + c, fd_load(bx + c) * fd_load(px + c) + fd_load(ax + c) * dx);
      fd_store(pz + c, bzr * fd_load(pz + c) + azr * dz);
    }
  }
  for (int row = 0; row < nz_pad; row++) {
    const size_t base = (size_t)(row + FD_GHOST) * stride + FD_LEAD;
    const float *restrict pc = p + base;
    const float *restrict px = psi_x + base;
    const float *restrict pz = psi_z + base;
    float *restrict zx = zeta_x + base;
    float *restrict zz = zeta_z + base;
    float *restrict pp = p_prev + base;
    const float *restrict a = fd_alpha_row(alpha, row, pad_top, nz, stride);
    const fd_vec azr = fd_splat(az[row]), bzr = fd_splat(bz[row]);
    for (size_t c = 0; c < width; c += FD_VW) {
      const fd_vec centre = fd_load(pc + c);
      const fd_vec lx = near * (fd_load(pc + c - 1) + fd_load(pc + c + 1)) + far * (fd_load(pc + c - 2) + fd_load(pc + c + 2)) + centre1 * centre;
      const fd_vec lz = near * (fd_load(pc + c - stride) + fd_load(pc + c + stride)) + far * (fd_load(pc + c - s2) + fd_load(pc + c + s2)) + centre1 * centre;
      const fd_vec dpx = d1_near * (fd_load(px + c + 1) - fd_load(px + c - 1)) - d1_far * (fd_load(px + c + 2) - fd_load(px + c - 2));
      const fd_vec dpz = d1_near * (fd_load(pz + c + stride) - fd_load(pz + c - stride)) - d1_far * (fd_load(pz + c + s2) - fd_load(pz + c - s2));
      const fd_vec zxv = fd_load(bx + c) * fd_load(zx + c) + fd_load(ax + c) * (lx + dpx);
      const fd_vec zzv = bzr * fd_load(zz + c) + azr * (lz + dpz);
      fd_store(zx + c, zxv);
      fd_store(zz + c, zzv);
      const fd_vec sum = ((lx + lz) + (dpx + dpz)) + (zxv + zzv);
      fd_store(pp + c, (two * centre - fd_load(pp + c)) + fd_load(a + c) * sum);
    }
  }
}

/*
 * Runs one shot. Integer parameters as main/core/physics/kernels.ts passes them; arrays compact
 * ([nz_pad, nx_pad] row-major for alpha, flat padded indices for receivers). `workspace` holds
 * fd_workspace_floats() floats and is 64-byte aligned. Outputs: seismic [time, receivers],
 * snapshots [frames, nz, nx]. Returns 0, or a negative number for parameters it cannot run.
 */
FD_EXPORT(fd_run_shot)
int fd_run_shot(int nz_pad, int nx_pad, int free_surface, int steps, int record_every, int snapshot_every,
                int pad_top, int pad_left, int nz, int nx, int source_row, int source_col, int receivers, int pml,
                const float *alpha_compact, const float *kappa_x_compact, const float *z_mask_compact,
                const float *kappa_z, const float *pml_ax, const float *pml_bx, const float *pml_az,
                const float *pml_bz, const float *amplitude, const int32_t *receiver_index,
                float *workspace, float *seismic, float *snapshots) {
  if (nz_pad < 3 || nx_pad < 3 || steps < 1 || record_every < 1 || snapshot_every < 0) return -1;
  if (((uintptr_t)workspace & 63) != 0) return -2;
  const size_t stride = fd_stride(nx_pad), width = fd_width(nx_pad);
  const size_t field = fd_field_floats(nz_pad, nx_pad);
  const size_t fields = pml ? 7 : 3;
  float *p = workspace, *p_prev = workspace + field, *alpha = workspace + 2 * field;
  /* Row vectors: κ_x, z_mask, 2 − κ_x, 1 − κ_x for a sponge; a_x and b_x for a PML. */
  float *row_a = workspace + fields * field, *row_b = row_a + width, *row_c = row_b + width, *row_d = row_c + width;
  float *psi_x = workspace + 3 * field, *psi_z = psi_x + field, *zeta_x = psi_z + field, *zeta_z = zeta_x + field;

  for (size_t i = 0; i < fields * field + FD_ROW_VECTORS * width; i++) workspace[i] = 0.0f;
  for (int row = pad_top; row < pad_top + nz; row++) { /* fd_alpha_row reads only the model's rows */
    float *dst = alpha + (size_t)(row + FD_GHOST) * stride + FD_LEAD;
    const float *src = alpha_compact + (size_t)row * nx_pad;
    for (int col = 0; col < nx_pad; col++) dst[col] = src[col];
  }
  for (int col = 0; col < nx_pad; col++) {
    row_a[col] = pml ? pml_ax[col] : kappa_x_compact[col];
    row_b[col] = pml ? pml_bx[col] : z_mask_compact[col];
  }
  for (size_t col = 0; col < width; col++) {
    row_c[col] = 2.0f - row_a[col];
    row_d[col] = 1.0f - row_a[col];
  }
  const size_t source = (size_t)(source_row + FD_GHOST) * stride + FD_LEAD + (size_t)source_col;

  for (int step = 0; step < steps; step++) {
    if (pml) {
      /* Beyond a PML the field is zero: its ghosts are never written, except a free surface's mirror. */
      if (free_surface) fd_mirror_free_surface(p, stride, width);
      fd_update_pml(p, p_prev, alpha, psi_x, psi_z, zeta_x, zeta_z, row_a, row_b, pml_az, pml_bz, nz_pad, pad_top, nz, stride, width);
    } else {
      fd_fill_ghosts(p, nz_pad, nx_pad, stride, width, free_surface);
      fd_update(p, p_prev, alpha, row_a, row_b, row_c, row_d, kappa_z, nz_pad, pad_top, nz, pad_left, nx, stride, width);
    }
    float *swap = p;
    p = p_prev;
    p_prev = swap;
    p[source] += amplitude[step];

    if (step % record_every == 0) {
      float *out = seismic + (size_t)(step / record_every) * (size_t)receivers;
      for (int r = 0; r < receivers; r++) {
        const int flat = receiver_index[r];
        const int row = flat / nx_pad, col = flat % nx_pad;
        out[r] = p[(size_t)(row + FD_GHOST) * stride + FD_LEAD + (size_t)col];
      }
    }
    if (snapshot_every > 0 && step % snapshot_every == 0) {
      float *out = snapshots + (size_t)(step / snapshot_every) * (size_t)nz * (size_t)nx;
      for (int z = 0; z < nz; z++) {
        const float *src = p + (size_t)(z + pad_top + FD_GHOST) * stride + FD_LEAD + (size_t)pad_left;
        for (int x = 0; x < nx; x++) out[(size_t)z * nx + x] = src[x];
      }
    }
  }
  return 0;
}
