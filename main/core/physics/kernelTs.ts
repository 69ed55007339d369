import { LAPLACIAN_CENTRE, LAPLACIAN_FAR, LAPLACIAN_NEAR } from './stability.ts';
import { shotSeismicLength, shotSnapshotFrames, type PaddedModel, type ShotResult, type ShotSetup } from './paddedGrid.ts';

const f = Math.fround;
/** Stencil weights as float32; the centre weight is −5/2 for x plus −5/2 for z. */
const NEAR = f(LAPLACIAN_NEAR);
const FAR = f(LAPLACIAN_FAR);
const CENTRE = f(2 * LAPLACIAN_CENTRE);
const CENTRE_1D = f(LAPLACIAN_CENTRE);
/** Fourth-order first difference (8·(p₊₁ − p₋₁) − (p₊₂ − p₋₂))/12 as float32 weights. */
const D1_NEAR = f(8 / 12);
const D1_FAR = f(1 / 12);

/** Ghost cells on each side of the padded grid: the stencil reaches two cells out. */
const GHOST = 2;

/**
 * Copies the neighbours beyond the padded grid into the ghost cells of `p` (layout: rows of
 * `stride` floats, cell (row, col) at (row + 2)·stride + col + 2): periodic wrap on every side;
 * with a free surface, an odd mirror above row 0 and zeros below the last row.
 */
function fillGhosts(p: Float32Array, nzPad: number, nxPad: number, stride: number, freeSurface: boolean): void {
  for (let row = 0; row < nzPad; row += 1) {
    const base = (row + GHOST) * stride + GHOST;
    p[base - 2] = p[base + nxPad - 2];
    p[base - 1] = p[base + nxPad - 1];
    p[base + nxPad] = p[base];
    p[base + nxPad + 1] = p[base + 1];
  }
  const rowOf = (row: number): number => (row + GHOST) * stride + GHOST;
  for (let col = 0; col < nxPad; col += 1) {
    if (freeSurface) {
      p[rowOf(-1) + col] = -p[rowOf(1) + col];
      p[rowOf(-2) + col] = -p[rowOf(2) + col];
    } else {
      p[rowOf(-1) + col] = p[rowOf(nzPad - 1) + col];
      p[rowOf(-2) + col] = p[rowOf(nzPad - 2) + col];
    }
    // Below a grid with a free surface the field is zero, not the surface rows: a wrap there
    // would couple the bottom to the surface one way only and break reciprocity.
    p[rowOf(nzPad) + col] = freeSurface ? 0 : p[rowOf(0) + col];
    p[rowOf(nzPad + 1) + col] = freeSurface ? 0 : p[rowOf(1) + col];
  }
}

/**
 * The readable reference kernel: one shot, time step by time step, on Float32Arrays.
 * Per step: ghosts of p, then for every cell
 *   p_next = (2 − κ)·p − (1 − κ)·p_prev + α·L(p)   (written over p_prev, then the two swap),
 * then p_next[source] += amplitude[step], then record receivers and snapshots.
 * Every operation is rounded to float32 in the order native/fd_kernel.c uses, so the kernels
 * agree bit for bit where the C compiler does not fuse multiply-adds.
 */
export function runShotTs(setup: ShotSetup): ShotResult {
  const { model, steps, recordEverySteps, snapshotEverySteps } = setup;
  const { nzPad, nxPad, freeSurface } = model;
  const stride = nxPad + 2 * GHOST;
  const size = (nzPad + 2 * GHOST) * stride;
  let p = new Float32Array(size);
  let pPrev = new Float32Array(size);
  const at = (row: number, col: number): number => (row + GHOST) * stride + col + GHOST;

  const receivers = setup.receiverIndex.length;
  const receiverAt = Int32Array.from(setup.receiverIndex, (flat) => at(Math.floor(flat / nxPad), flat % nxPad));
  const seismic = new Float32Array(shotSeismicLength(setup));
  const frames = shotSnapshotFrames(setup);
  const snapshots = new Float32Array(frames * model.nz * model.nx);
  const source = at(setup.sourceRow, setup.sourceCol);

  const sponge = model.pml ? null : spongeFactors(model);
  const pml = model.pml ? { psiX: new Float32Array(size), psiZ: new Float32Array(size), zetaX: new Float32Array(size), zetaZ: new Float32Array(size) } : null;

  for (let step = 0; step < steps; step += 1) {
    if (pml && model.pml) {
      // PML: zero beyond the grid (ghosts stay 0) except the free surface's odd mirror.
      if (freeSurface) fillFreeSurfaceMirror(p, nxPad, stride);
      updatePml(p, pPrev, pml.psiX, pml.psiZ, pml.zetaX, pml.zetaZ, model, stride);
    } else {
      fillGhosts(p, nzPad, nxPad, stride, freeSurface);
      updateSponge(p, pPrev, model, sponge!, stride);
    }
    const next = pPrev;
    pPrev = p;
    p = next;
    p[source] += setup.sourceAmplitude[step];

    if (step % recordEverySteps === 0) {
      const offset = (step / recordEverySteps) * receivers;
      for (let r = 0; r < receivers; r += 1) seismic[offset + r] = p[receiverAt[r]];
    }
    if (snapshotEverySteps > 0 && step % snapshotEverySteps === 0) {
      let offset = (step / snapshotEverySteps) * model.nz * model.nx;
      for (let z = 0; z < model.nz; z += 1) {
        const rowStart = at(z + model.padTop, model.padLeft);
        snapshots.set(p.subarray(rowStart, rowStart + model.nx), offset);
        offset += model.nx;
      }
    }
  }
  return { seismic, snapshots };
}

/** The sponge's per-cell factors (2 − κ) and (1 − κ), κ = κ_x[col] + z_mask[col]·κ_z[row], [nzPad, nxPad]. */
function spongeFactors(model: PaddedModel): { keep: Float32Array; forget: Float32Array } {
  const { nzPad, nxPad, kappaX, zMask, kappaZ } = model;
  const keep = new Float32Array(nzPad * nxPad);
  const forget = new Float32Array(nzPad * nxPad);
  for (let row = 0; row < nzPad; row += 1) {
    for (let col = 0; col < nxPad; col += 1) {
      const kappa = f(kappaX[col] + f(zMask[col] * kappaZ[row]));
      keep[row * nxPad + col] = 2 - kappa;
      forget[row * nxPad + col] = 1 - kappa;
    }
  }
  return { keep, forget };
}

/** p_next = (2 − κ)·p − (1 − κ)·p_prev + α·L(p) for every padded cell, written over p_prev. */
function updateSponge(p: Float32Array, pPrev: Float32Array, model: PaddedModel, factors: ReturnType<typeof spongeFactors>, stride: number): void {
  const { nzPad, nxPad, alpha } = model;
  const { keep, forget } = factors;
  for (let row = 0; row < nzPad; row += 1) {
    const base = (row + GHOST) * stride + GHOST;
    const coefBase = row * nxPad;
    for (let col = 0; col < nxPad; col += 1) {
      const i = base + col;
      const centre = p[i];
      const nearSum = f(f(p[i - 1] + p[i + 1]) + f(p[i - stride] + p[i + stride]));
      const farSum = f(f(p[i - 2] + p[i + 2]) + f(p[i - 2 * stride] + p[i + 2 * stride]));
      const laplacian = f(f(f(NEAR * nearSum) + f(FAR * farSum)) + f(CENTRE * centre));
      const c = coefBase + col;
      pPrev[i] = f(f(f(keep[c] * centre) - f(forget[c] * pPrev[i])) + f(alpha[c] * laplacian));
    }
  }
}

/** The odd mirror above a free surface: p(−k) = −p(k). */
function fillFreeSurfaceMirror(p: Float32Array, nxPad: number, stride: number): void {
  for (let col = 0; col < nxPad; col += 1) {
    p[GHOST * stride + GHOST + col - stride] = -p[GHOST * stride + GHOST + col + stride];
    p[GHOST * stride + GHOST + col - 2 * stride] = -p[GHOST * stride + GHOST + col + 2 * stride];
  }
}

/**
 * One PML step (model.ts, PmlCoefficients): first the memory variables Ψ of the first
 * derivatives everywhere, then Z, and p_next written over p_prev.
 */
function updatePml(
  p: Float32Array,
  pPrev: Float32Array,
  psiX: Float32Array,
  psiZ: Float32Array,
  zetaX: Float32Array,
  zetaZ: Float32Array,
  model: PaddedModel,
  stride: number,
): void {
  const { nzPad, nxPad, alpha } = model;
  const { ax, bx, az, bz } = model.pml!;
  for (let row = 0; row < nzPad; row += 1) {
    const base = (row + GHOST) * stride + GHOST;
    for (let col = 0; col < nxPad; col += 1) {
      const i = base + col;
      const dx = f(f(D1_NEAR * f(p[i + 1] - p[i - 1])) - f(D1_FAR * f(p[i + 2] - p[i - 2])));
      const dz = f(f(D1_NEAR * f(p[i + stride] - p[i - stride])) - f(D1_FAR * f(p[i + 2 * stride] - p[i - 2 * stride])));
      psiX[i] = f(f(bx[col] * psiX[i]) + f(ax[col] * dx));
      psiZ[i] = f(f(bz[row] * psiZ[i]) + f(az[row] * dz));
    }
  }
  for (let row = 0; row < nzPad; row += 1) {
    const base = (row + GHOST) * stride + GHOST;
    for (let col = 0; col < nxPad; col += 1) {
      const i = base + col;
      const centre = p[i];
      const lx = f(f(f(NEAR * f(p[i - 1] + p[i + 1])) + f(FAR * f(p[i - 2] + p[i + 2]))) + f(CENTRE_1D * centre));
      const lz = f(f(f(NEAR * f(p[i - stride] + p[i + stride])) + f(FAR * f(p[i - 2 * stride] + p[i + 2 * stride]))) + f(CENTRE_1D * centre));
      const dPsiX = f(f(D1_NEAR * f(psiX[i + 1] - psiX[i - 1])) - f(D1_FAR * f(psiX[i + 2] - psiX[i - 2])));
      const dPsiZ = f(f(D1_NEAR * f(psiZ[i + stride] - psiZ[i - stride])) - f(D1_FAR * f(psiZ[i + 2 * stride] - psiZ[i - 2 * stride])));
      zetaX[i] = f(f(bx[col] * zetaX[i]) + f(ax[col] * f(lx + dPsiX)));
      zetaZ[i] = f(f(bz[row] * zetaZ[i]) + f(az[row] * f(lz + dPsiZ)));
      const sum = f(f(f(lx + lz) + f(dPsiX + dPsiZ)) + f(zetaX[i] + zetaZ[i]));
      pPrev[i] = f(f(f(2 * centre) - pPrev[i]) + f(alpha[row * nxPad + col] * sum));
    }
  }
}
