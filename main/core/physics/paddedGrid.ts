import { OPENFWI_SPONGE_CELLS } from './acquisition.ts';
import { type AcquisitionGeometry } from '../contract/acquisitionGeometry.ts';
import { sampleWavelet } from './wavelet.ts';

/**
 * A velocity model made ready for the kernels: padded by the absorbing boundary with edge
 * velocities, with the update's coefficients. Arrays are row-major [nzPad, nxPad] unless noted.
 *
 * The update every kernel implements, with κ = damping·dt and α = (v·dt/dx)²:
 *   p_next = (2 − κ)·p − (1 − κ)·p_prev + α·L(p),
 *   L(p) = Σ over x and z of (−1/12·p[−2] + 4/3·p[−1] − 5/2·p[0] + 4/3·p[+1] − 1/12·p[+2])   (units of dx²)
 * κ at (row, col) = kappaX[col] + zMask[col]·kappaZ[row]: in the corners the x-profile wins.
 * Beyond the padded grid, neighbours wrap around periodically (OpenFWI), except with a free
 * surface: above it they mirror with opposite sign (p(−k) = −p(k)), row 0 is held at zero, and
 * below the bottom they are zero.
 */
export interface PaddedModel {
  /** Unpadded model size. */
  nz: number;
  nx: number;
  nzPad: number;
  nxPad: number;
  /** Padding above row 0 and left of column 0 (the same width on the right and below). */
  padTop: number;
  padLeft: number;
  /** Padded velocity [nzPad, nxPad] in m/s. */
  velocityMps: Float32Array;
  /** (v·dt/dx)² [nzPad, nxPad]; 0 on a free-surface row. */
  alpha: Float32Array;
  /** κ of the x-sponge at each column [nxPad], 0 outside it (the C kernel relies on this split). */
  kappaX: Float32Array;
  /** 1 in columns where the z-profile applies (between the x-sponges) [nxPad], else 0. */
  zMask: Float32Array;
  /** κ of the z-sponge at each row [nzPad], 0 outside it. */
  kappaZ: Float32Array;
  /** True when the top is a free surface: odd mirror above row 0 instead of the periodic wrap. */
  freeSurface: boolean;
  /** Coefficients of the PML's memory variables, or null for a sponge (see `pmlProfile`). */
  pml: PmlCoefficients | null;
}

/**
 * Convolutional PML for the second-order equation (after Pasalic & McGarry, 2010): with
 * stretched coordinates s = 1 + d/(iω), in units of dx,
 *   p_next = 2p − p_prev + α·(Lx + Lz + Dx Ψx + Dz Ψz + Zx + Zz)
 *   Ψx ← bx·Ψx + ax·Dx p,   Zx ← bx·Zx + ax·(Lx + Dx Ψx)   (the same along z)
 * Lx the 4th-order second difference, Dx the 4th-order first difference (8·(p₊₁ − p₋₁) − (p₊₂ − p₋₂))/12,
 * b = exp(−d·dt), a = b − 1, zero in the interior. Outside the grid p = 0 (no wrap).
 */
export interface PmlCoefficients {
  ax: Float32Array;
  bx: Float32Array;
  az: Float32Array;
  bz: Float32Array;
}

/** PML damping d(i) = d0·((i + 1)/width)², d0 = 3·v_max·ln(1/R)/(2·width·dx), R = 1e-4, at cell i from the interior. */
export function pmlDamping(widthCells: number, spacingMeters: number, maxVelocityMps: number): Float64Array {
  const thickness = widthCells * spacingMeters;
  const d0 = (3 * maxVelocityMps * Math.log(1e4)) / (2 * thickness);
  return Float64Array.from({ length: widthCells }, (_, i) => d0 * ((i + 1) / widthCells) ** 2);
}

/** The run of one shot, as every kernel receives it. */
export interface ShotSetup {
  model: PaddedModel;
  steps: number;
  recordEverySteps: number;
  /** Source cell in padded coordinates. */
  sourceRow: number;
  sourceCol: number;
  /** Added to p[source] after update k: (v_source·dt)²·w[k], float32 [steps]. */
  sourceAmplitude: Float32Array;
  /** Receiver cells as padded flat indices row·nxPad + col [receivers]. */
  receiverIndex: Int32Array;
  /** Wavefield snapshots of the unpadded interior after updates 0, k, 2k, …; 0 = none. */
  snapshotEverySteps: number;
}

/** What a kernel returns for one shot. */
export interface ShotResult {
  /** [time, receivers], time = ceil(steps / recordEverySteps). */
  seismic: Float32Array;
  /** [frames, nz, nx] of the unpadded interior, frames = ceil(steps / snapshotEverySteps); empty when none. */
  snapshots: Float32Array;
}

/**
 * Damping d(i) in 1/s at sponge cell i = 0…width−1 counted from the interior outward:
 * d(i) = d0·(i/(width − 1))², d0 = 3·v_min·ln(1/R)/(2a), a = (width − 1)·dx.
 * OpenFWI's sponge uses R = 1e-7 over 120 cells. Narrower sponges use a gentler R = 1e-3 (more
 * damping reflects off the sponge's own gradient); what each reflects is measured by
 * `npm run bench:sponge` and stated in this folder's README.md ("How much each boundary reflects").
 */
export function spongeDamping(widthCells: number, spacingMeters: number, minVelocityMps: number, reflection: number): Float64Array {
  const a = (widthCells - 1) * spacingMeters;
  const d0 = (3 * minVelocityMps * Math.log(1 / reflection)) / (2 * a);
  const damping = new Float64Array(widthCells);
  for (let i = 0; i < widthCells; i += 1) {
    const ratio = (i * spacingMeters) / a;
    damping[i] = d0 * ratio * ratio;
  }
  return damping;
}

/** Sponge width and target reflection for a geometry's boundary. */
export function spongeSpec(geometry: AcquisitionGeometry): { widthCells: number; reflection: number } {
  switch (geometry.boundary.kind) {
    case 'openfwi-sponge':
      return { widthCells: OPENFWI_SPONGE_CELLS, reflection: 1e-7 };
    case 'sponge':
      return { widthCells: geometry.boundary.widthCells, reflection: 1e-3 };
    case 'pml':
      return { widthCells: geometry.boundary.widthCells, reflection: 1 };
  }
}

/**
 * Pads one velocity model [nz, nx] (m/s) by the geometry's sponge, replicating edge velocities,
 * and computes the update coefficients. v_min for the damping is this model's smallest velocity.
 */
export function padModel(velocityMps: Float32Array, nz: number, nx: number, geometry: AcquisitionGeometry): PaddedModel {
  const { widthCells, reflection } = spongeSpec(geometry);
  const freeSurface = geometry.topSurface === 'free';
  const padTop = freeSurface ? 0 : widthCells;
  const padLeft = widthCells;
  const nzPad = padTop + nz + widthCells;
  const nxPad = padLeft + nx + widthCells;
  const dt = geometry.timeStepSeconds;
  const dx = geometry.spacingMeters;

  const padded = new Float32Array(nzPad * nxPad);
  const alpha = new Float32Array(nzPad * nxPad);
  let minVelocityMps = Infinity;
  for (let row = 0; row < nzPad; row += 1) {
    const z = Math.min(Math.max(row - padTop, 0), nz - 1);
    for (let col = 0; col < nxPad; col += 1) {
      const x = Math.min(Math.max(col - padLeft, 0), nx - 1);
      const v = velocityMps[z * nx + x];
      padded[row * nxPad + col] = v;
      const courant = (v * dt) / dx;
      alpha[row * nxPad + col] = freeSurface && row === 0 ? 0 : courant * courant;
    }
  }
  let maxVelocityMps = -Infinity;
  for (let i = 0; i < nz * nx; i += 1) {
    minVelocityMps = Math.min(minVelocityMps, velocityMps[i]);
    maxVelocityMps = Math.max(maxVelocityMps, velocityMps[i]);
  }

  const isPml = geometry.boundary.kind === 'pml';
  // A PML has no sponge damping (R = 1 gives d0 = 0); its own coefficients follow.
  const damping = spongeDamping(widthCells, dx, minVelocityMps, reflection);
  const kappaX = new Float32Array(nxPad);
  const zMask = new Float32Array(nxPad);
  for (let col = 0; col < nxPad; col += 1) {
    if (col < padLeft) kappaX[col] = damping[padLeft - 1 - col] * dt;
    else if (col >= padLeft + nx) kappaX[col] = damping[col - padLeft - nx] * dt;
    else zMask[col] = 1;
  }
  const kappaZ = new Float32Array(nzPad);
  for (let row = 0; row < nzPad; row += 1) {
    if (row < padTop) kappaZ[row] = damping[padTop - 1 - row] * dt;
    else if (row >= padTop + nz) kappaZ[row] = damping[row - padTop - nz] * dt;
  }
  let pml: PmlCoefficients | null = null;
  if (isPml) {
    const d = pmlDamping(widthCells, dx, maxVelocityMps);
    const coefficients = (cells: number, before: number, inner: number): { a: Float32Array; b: Float32Array } => {
      const a = new Float32Array(cells);
      const b = new Float32Array(cells);
      for (let i = 0; i < cells; i += 1) {
        const depth = i < before ? before - 1 - i : i >= before + inner ? i - before - inner : -1;
        const decay = depth < 0 ? 1 : Math.exp(-d[depth] * dt);
        b[i] = decay;
        a[i] = decay - 1;
      }
      return { a, b };
    };
    const x = coefficients(nxPad, padLeft, nx);
    const z = coefficients(nzPad, padTop, nz);
    pml = { ax: x.a, bx: x.b, az: z.a, bz: z.b };
  }
  return { nz, nx, nzPad, nxPad, padTop, padLeft, velocityMps: padded, alpha, kappaX, zMask, kappaZ, freeSurface, pml };
}

/** The setup of shot `shot` of the geometry on a padded model. */
export function shotSetup(model: PaddedModel, geometry: AcquisitionGeometry, shot: number, snapshotEverySteps = 0): ShotSetup {
  const source = geometry.sources[shot];
  const sourceRow = source.z + model.padTop;
  const sourceCol = source.x + model.padLeft;
  const dt = geometry.timeStepSeconds;
  const vSource = model.velocityMps[sourceRow * model.nxPad + sourceCol];
  const scale = vSource * dt * (vSource * dt);
  const wavelet = sampleWavelet(geometry.wavelet, dt, geometry.steps);
  const sourceAmplitude = new Float32Array(geometry.steps);
  for (let k = 0; k < geometry.steps; k += 1) sourceAmplitude[k] = scale * wavelet[k];
  const receiverIndex = new Int32Array(geometry.receivers.length);
  geometry.receivers.forEach((cell, i) => {
    receiverIndex[i] = (cell.z + model.padTop) * model.nxPad + cell.x + model.padLeft;
  });
  return {
    model,
    steps: geometry.steps,
    recordEverySteps: geometry.recordEverySteps,
    sourceRow,
    sourceCol,
    sourceAmplitude,
    receiverIndex,
    snapshotEverySteps,
  };
}

export function shotSeismicLength(setup: ShotSetup): number {
  return Math.ceil(setup.steps / setup.recordEverySteps) * setup.receiverIndex.length;
}

export function shotSnapshotFrames(setup: ShotSetup): number {
  return setup.snapshotEverySteps > 0 ? Math.ceil(setup.steps / setup.snapshotEverySteps) : 0;
}
