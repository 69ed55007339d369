import { velocityFamilySchema } from '../contract/contract.ts';
import { Random, mixSeed } from '../util/random.ts';
import { StudioError } from '../contract/errors.ts';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../contract/velocityRange.ts';

/**
 * OpenFWI-style velocity families (Deng et al., 2022): seeded generators of layered velocity models
 * in m/s, float32, whole numbers, row-major [nz (depth), nx (width)], 70 × 70 by default.
 *
 *   flatvel    flat layers
 *   curvevel   curved layers: every interface displaced by one fold, a sum of sines that grows from left to right
 *              (A: warped into narrow spikes or troughs)
 *   flatfault  flat layers cut by 1–2 dipping faults with a throw
 *   curvefault curved layers cut by 1–2 faults
 *   -a         velocity increases with depth (sorted draws), OpenFWI's "easy" variant
 *   -b         no monotonic constraint, adjacent layers differ by ≥ 300 m/s, more layers, larger folds and throws
 *
 * The A parameters were fitted to OpenFWI's own test models (FlatVel-A, CurveVel-A, FlatFault-A
 * in shared/testdata/openfwi; comparison in docs/physics/velocity-families.md and families.test.ts).
 * B variants have no real files here; their ranges follow the paper's description (2–10 layers in
 * the Vel families, unconstrained order).
 *
 * Geometry is defined for 70 × 70 and scales with nz/70 (depths, throws) and nx/70 (fault positions),
 * so cheap test grids get the same kind of structure.
 */

/** The eight families, declared once in the API contract (the renderer offers the same list). */
export const VELOCITY_FAMILIES = velocityFamilySchema.options;
export type VelocityFamily = (typeof VELOCITY_FAMILIES)[number];


export const OPENFWI_MODEL_SHAPE = { nz: 70, nx: 70 } as const;

export interface ModelShape {
  nz: number;
  nx: number;
}

export interface FamilyTraits {
  layering: 'flat' | 'curved';
  faulted: boolean;
  variant: 'a' | 'b';
}

export function familyTraits(family: VelocityFamily): FamilyTraits {
  const [kind, variant] = family.split('-') as [string, 'a' | 'b'];
  return {
    layering: kind.startsWith('curve') ? 'curved' : 'flat',
    faulted: kind.endsWith('fault'),
    variant,
  };
}

export function isVelocityFamily(name: string): name is VelocityFamily {
  return (VELOCITY_FAMILIES as readonly string[]).includes(name);
}

/** The family named by a user (case-insensitive, `CurveVel-A` or `curvevel_a` accepted). */
export function parseVelocityFamily(name: string, field = 'family'): VelocityFamily {
  const normalised = name.trim().toLowerCase().replace('_', '-');
  if (isVelocityFamily(normalised)) return normalised;
  throw new StudioError('bad_input', `Unknown velocity family '${name}' (${field}); choose one of ${VELOCITY_FAMILIES.join(', ')}.`);
}

/** A sine component of a fold: amplitude in cells, wavenumber in cycles per model width. */
export interface FoldComponent {
  amplitudeCells: number;
  cyclesAcross: number;
  phaseRadians: number;
}

/**
 * The displacement (cells, positive downwards) that every interface of a curved model shares:
 * s(x) = e(x)·Σ a·sin(2π·c·x/nx + φ) with e(x) = (1 + growth·x/nx)/(1 + growth/2), so that the bends rise
 * higher from left to right, as OpenFWI's CurveVel-A folds do (docs/physics/velocity-families.md).
 * A non-zero `warp` γ then sharpens one side of it: with u = s / max|s|, the displacement becomes
 * (e^{γu} − 1)/γ scaled back to the peak-to-peak height of s, so γ > 0 makes narrow downward
 * troughs and broad crests, γ < 0 narrow upward spikes.
 */
export interface Fold {
  components: FoldComponent[];
  growth: number;
  warp: number;
}

/**
 * A fault: a straight line through (xCells, zCells) with the given dip from horizontal. Cells on
 * the hanging-wall side (right of the line when `dipsRight`, else left) show the model as it was
 * `throwCells` higher up (positive throw: the hanging wall moved down).
 */
export interface FaultDescription {
  xCells: number;
  zCells: number;
  dipDegrees: number;
  dipsRight: boolean;
  throwCells: number;
}

/** Everything that determines one model; `rasterizeVelocityModel` turns it into cells. */
export interface VelocityModelDescription {
  family: VelocityFamily;
  shape: ModelShape;
  /** Velocity of each layer from the top, whole m/s [layers]. */
  layerVelocitiesMps: number[];
  /** Depth of the top of layers 1…L−1 at the fold's zero line, in cells (row index) [layers − 1]. */
  interfaceDepthsCells: number[];
  /** Null for flat families; interface k lies at depth d_k + the fold's displacement. */
  fold: Fold | null;
  /** Applied in order: the second fault cuts the model the first one made. */
  faults: FaultDescription[];
}

interface FamilyParameters {
  /** Relative weights of layer counts, starting at `minLayers`. */
  minLayers: number;
  layerWeights: number[];
  monotonic: boolean;
  /** B: minimum |Δv| between adjacent layers. */
  minContrastMps: number;
  /** Each model draws its velocities from [1500, u] with u uniform in this range (m/s). */
  upperVelocityMps: [number, number];
  /** Fold amplitude range (cells at nz = 70), total over its sine components; drawn as lo + (hi − lo)·u^1.5. */
  foldAmplitudeCells: [number, number];
  /** Range of each sine component's cycles across the model width. */
  foldCycles: [number, number];
  /** Range of the fold's warp magnitude |γ| (either sign, equally likely); [0, 0]: plain sines. */
  foldWarp: [number, number];
  /** Near-equal layer thicknesses (OpenFWI's Vel-A) instead of uniformly drawn interface depths. */
  evenLayers: boolean;
  /** Fault throw magnitude (cells at nz = 70) and the chance of a second fault. */
  throwCells: [number, number];
  secondFaultChance: number;
}

// Each FlatVel-A model's layer velocities come from [1500, u]: u's range fitted to the per-model
// fastest and slowest velocities of vmodel12.npy (Kolmogorov–Smirnov distance 0.10 / 0.03; with u in
// [3800, 4500] 0.18 / 0.06), docs/physics/velocity-families.md "Fastest layer".
const FLATVEL_A_UPPER_VELOCITY_MPS: [number, number] = [4100, 4500];

/**
 * Fitted to OpenFWI's test models (vmodel11.npy, 500 each):
 *  FlatVel-A  layer counts 3–8 (52, 92, 106, 96, 113, 41 models), velocity increasing with depth,
 *             fewer fast cells than a uniform draw (6.6, 6.6, 4.7, 2.8 % in the 250 m/s bins above
 *             3500 m/s): each model draws from [1500, u], u uniform in FLATVEL_A_UPPER_VELOCITY_MPS;
 *  CurveVel-A 4–8 distinct velocities per model (110, 84, 91, 124, 90), drawn from the whole
 *             1500–4500 m/s (its per-model fastest and slowest velocities are those of sorted uniform
 *             draws; the bottom layers' thinning alone makes the fast cells rarer);
 *  FlatFault-A 4 whole-valued layers in 442 models, 5 in 56; velocities uniform over the whole range.
 * Interface depths are uniform below a 5-cell top layer with at least 2 cells between interfaces,
 * which reproduces FlatVel-A's thin last layers and 5–35-cell top layers.
 */
function parametersFor(family: VelocityFamily): FamilyParameters {
  const { layering, faulted, variant } = familyTraits(family);
  const a = variant === 'a';
  const curved = layering === 'curved';
  const foldAmplitudeCells: [number, number] = curved ? (a ? FOLD_AMPLITUDE_A : [7, 22]) : [0, 0];
  const folds = { foldAmplitudeCells, foldCycles: a ? FOLD_CYCLES_A : FOLD_CYCLES_B, foldWarp: curved && a ? FOLD_WARP_A : ([0, 0] as [number, number]) };
  if (!faulted) {
    return {
      minLayers: a ? (layering === 'flat' ? 3 : 4) : 2,
      layerWeights: a ? (layering === 'flat' ? [1, 2, 2, 2, 2, 1] : [1, 1, 1, 1, 1]) : [1, 1, 1, 1, 1, 1, 1, 1, 1],
      monotonic: a,
      minContrastMps: a ? 0 : 300,
      upperVelocityMps: a && layering === 'flat' ? FLATVEL_A_UPPER_VELOCITY_MPS : [4500, 4500],
      ...folds,
      evenLayers: a,
      throwCells: [0, 0],
      secondFaultChance: 0,
    };
  }
  return {
    minLayers: 4,
    layerWeights: a ? [8, 1] : [1, 1, 1, 1, 1],
    monotonic: a,
    minContrastMps: a ? 0 : 300,
    upperVelocityMps: [4500, 4500],
    ...folds,
    evenLayers: false,
    throwCells: a ? [3, 10] : [5, 18],
    secondFaultChance: a ? 0.3 : 0.5,
  };
}

function checkShape(shape: ModelShape): void {
  for (const [name, value] of [['nz', shape.nz], ['nx', shape.nx]] as const) {
    if (!Number.isInteger(value) || value < 8 || value > 4096) {
      throw new StudioError('bad_input', `Velocity model ${name} = ${value}: use a whole number from 8 to 4096.`);
    }
  }
}

function drawLayerVelocities(rng: Random, count: number, params: FamilyParameters): number[] {
  const min = OPENFWI_VELOCITY_RANGE_MPS.min;
  const max = rng.uniformIn(params.upperVelocityMps[0], params.upperVelocityMps[1]);
  for (;;) {
    const velocities = Array.from({ length: count }, () => Math.round(rng.uniformIn(min, max)));
    if (params.monotonic) velocities.sort((p, q) => p - q);
    let ok = true;
    for (let i = 1; i < count; i += 1) {
      const step = Math.abs(velocities[i] - velocities[i - 1]);
      // Distinct neighbours keep every layer visible; B asks for a real contrast.
      if (step < Math.max(1, params.minContrastMps)) ok = false;
    }
    if (ok) return velocities;
  }
}

/** `count` interface depths in [top, nz − 1], sorted, at least `gap` apart (uniform by rejection). */
function drawInterfaceDepths(rng: Random, count: number, nz: number): number[] {
  const scale = nz / OPENFWI_MODEL_SHAPE.nz;
  const top = Math.max(1, Math.round(5 * scale));
  const gap = Math.max(1, Math.round(2 * scale));
  const room = nz - 1 - top;
  if ((count - 1) * gap > room) throw new StudioError('bad_input', `A ${nz}-row model cannot hold ${count + 1} layers; use a deeper model.`);
  for (;;) {
    const depths = Array.from({ length: count }, () => rng.integer(top, nz - 1)).sort((p, q) => p - q);
    let ok = true;
    for (let i = 1; i < count; i += 1) if (depths[i] - depths[i - 1] < gap) ok = false;
    if (ok) return depths;
  }
}

/**
 * Interfaces of `layers` near-equal layers, as in OpenFWI's FlatVel-A/CurveVel-A (vmodel11: the mean
 * thickness of all but the deepest layer is ≈ 78/L cells for L visible layers, the deepest takes the
 * rest, thicknesses vary by a CV of ≈ 0.1–0.15): interface k at k·h + U(−0.17 h, 0.17 h), h = 78/70·nz/L,
 * at least `gap` cells apart and above the bottom row.
 */
function drawEvenInterfaceDepths(rng: Random, layers: number, nz: number): number[] {
  const gap = Math.max(1, Math.round((2 * nz) / OPENFWI_MODEL_SHAPE.nz));
  const thickness = ((78 / 70) * nz) / layers;
  for (;;) {
    const depths = Array.from({ length: layers - 1 }, (_, k) => Math.round((k + 1) * thickness + rng.uniformIn(-0.17, 0.17) * thickness));
    let ok = depths[0] >= gap && depths[depths.length - 1] <= nz - 1;
    for (let i = 1; i < depths.length; i += 1) if (depths[i] - depths[i - 1] < gap) ok = false;
    if (ok) return depths;
  }
}

// Fitted to the top interfaces of CurveVel-A's 500 test models (docs/physics/velocity-families.md);
// the B variants keep the earlier plain sines (no files to fit them to).
const FOLD_AMPLITUDE_A: [number, number] = [4.9, 19];
const FOLD_CYCLES_A: [number, number] = [1.2, 3];
const FOLD_WARP_A: [number, number] = [0.5, 1.5];
const FOLD_CYCLES_B: [number, number] = [1.2, 2.4];
const FOLD_GROWTH = 2.8;

function drawFold(rng: Random, params: FamilyParameters, scale: number): Fold {
  const count = rng.integer(1, 2);
  const [low, high] = params.foldAmplitudeCells;
  // A skewed draw: mostly moderate folds with a tail of strong ones.
  const total = (low + (high - low) * rng.uniformIn(0, 1) ** 1.5) * scale;
  const weights = Array.from({ length: count }, () => rng.uniformIn(0.5, 1));
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  const components = weights.map((w) => ({
    amplitudeCells: (total * w) / weightSum,
    cyclesAcross: rng.uniformIn(...params.foldCycles),
    phaseRadians: rng.uniformIn(0, 2 * Math.PI),
  }));
  let warp = 0;
  if (params.foldWarp[1] > 0) {
    const magnitude = rng.uniformIn(...params.foldWarp);
    warp = rng.chance(0.5) ? magnitude : -magnitude;
  }
  return { components, growth: FOLD_GROWTH, warp };
}

function drawFault(rng: Random, params: FamilyParameters, shape: ModelShape): FaultDescription {
  const scaleZ = shape.nz / OPENFWI_MODEL_SHAPE.nz;
  const magnitude = rng.uniformIn(params.throwCells[0], params.throwCells[1]) * scaleZ;
  return {
    xCells: rng.uniformIn(0.25, 0.75) * (shape.nx - 1),
    zCells: rng.uniformIn(0.3, 0.7) * (shape.nz - 1),
    dipDegrees: rng.uniformIn(55, 85),
    dipsRight: rng.chance(0.5),
    throwCells: rng.chance(0.5) ? magnitude : -magnitude,
  };
}

/** Sample `index` of a dataset made from `seed`: its own random stream, so any sample can be made alone. */
export function describeVelocityModel(
  family: VelocityFamily,
  seed: number,
  index: number,
  shape: ModelShape = OPENFWI_MODEL_SHAPE,
): VelocityModelDescription {
  checkShape(shape);
  const rng = new Random(mixSeed(seed, index, VELOCITY_FAMILIES.indexOf(family)));
  const params = parametersFor(family);
  const traits = familyTraits(family);
  const scale = shape.nz / OPENFWI_MODEL_SHAPE.nz;
  const maxLayers = Math.max(2, Math.floor((shape.nz - 1 - Math.max(1, Math.round(5 * scale))) / Math.max(1, Math.round(2 * scale))) + 1);
  const layers = Math.min(maxLayers, params.minLayers + rng.weightedIndex(params.layerWeights));
  const layerVelocitiesMps = drawLayerVelocities(rng, layers, params);
  const interfaceDepthsCells = params.evenLayers && layers * 2 <= shape.nz
    ? drawEvenInterfaceDepths(rng, layers, shape.nz)
    : drawInterfaceDepths(rng, layers - 1, shape.nz);
  const fold = traits.layering === 'curved' ? drawFold(rng, params, scale) : null;
  const description: VelocityModelDescription = { family, shape: { nz: shape.nz, nx: shape.nx }, layerVelocitiesMps, interfaceDepthsCells, fold, faults: [] };
  if (traits.faulted) {
    const faultCount = rng.chance(params.secondFaultChance) ? 2 : 1;
    for (let f = 0; f < faultCount; f += 1) {
      // A fault that offsets no interface inside the grid would leave no trace; draw it again.
      for (let attempt = 0; ; attempt += 1) {
        const fault = drawFault(rng, params, shape);
        if (faultOffsetsSomething(description, fault) || attempt >= 50) {
          description.faults.push(fault);
          break;
        }
      }
    }
  }
  return description;
}

/** The fold's sum of sines under its envelope at column x (cells, positive downwards), before the warp. */
function sinesAt(fold: Fold, x: number, nx: number): number {
  let displacement = 0;
  for (const c of fold.components) displacement += c.amplitudeCells * Math.sin((2 * Math.PI * c.cyclesAcross * x) / nx + c.phaseRadians);
  return (displacement * (1 + (fold.growth * x) / nx)) / (1 + fold.growth / 2);
}

/** The fold's displacement of every column (cells, positive downwards): the sines, warped (see Fold). */
function foldDisplacements(fold: Fold, nx: number): Float64Array {
  const sines = Float64Array.from({ length: nx }, (_, x) => sinesAt(fold, x, nx));
  const peak = sines.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  if (fold.warp === 0 || peak === 0) return sines;
  const warped = sines.map((s) => Math.expm1((fold.warp * s) / peak) / fold.warp);
  const height = (values: Float64Array): number => Math.max(...values) - Math.min(...values);
  const rescale = height(sines) / height(warped);
  return warped.map((w) => w * rescale);
}

/** Horizontal distance of (z, x) from the fault line, positive on the hanging-wall side. */
function hangingWallSide(fault: FaultDescription, z: number, x: number): boolean {
  const cotDip = 1 / Math.tan((fault.dipDegrees * Math.PI) / 180);
  const lineX = fault.xCells + (z - fault.zCells) * cotDip * (fault.dipsRight ? 1 : -1);
  return fault.dipsRight ? x > lineX : x < lineX;
}

/** Layer index at a (possibly fractional, possibly outside) depth z of column x in the unfaulted model. */
function layerAt(description: VelocityModelDescription, foldShift: Float64Array, z: number, x: number): number {
  const depths = description.interfaceDepthsCells;
  let layer = 0;
  while (layer < depths.length && z >= depths[layer] + foldShift[x]) layer += 1;
  return layer;
}

/** The fold's displacement of every column (zeros for a flat model). */
function foldShifts(description: VelocityModelDescription): Float64Array {
  const { nx } = description.shape;
  const shift = new Float64Array(nx);
  if (description.fold) shift.set(foldDisplacements(description.fold, nx));
  return shift;
}

/** Depth at which cell (z, x) of the faulted model samples the unfaulted one (faults undone, last first). */
function unfaultedDepth(faults: readonly FaultDescription[], z: number, x: number): number {
  let depth = z;
  for (let f = faults.length - 1; f >= 0; f -= 1) {
    if (hangingWallSide(faults[f], depth, x)) depth -= faults[f].throwCells;
  }
  return depth;
}

function faultOffsetsSomething(description: VelocityModelDescription, fault: FaultDescription): boolean {
  const { nz, nx } = description.shape;
  const shift = foldShifts(description);
  const faults = [...description.faults, fault];
  for (let z = 0; z < nz; z += 1) {
    for (let x = 0; x < nx; x += 1) {
      const before = layerAt(description, shift, unfaultedDepth(description.faults, z, x), x);
      const after = layerAt(description, shift, unfaultedDepth(faults, z, x), x);
      if (before !== after) return true;
    }
  }
  return false;
}

/**
 * Cells of a described model: float32 [nz, nx] in m/s. `withFaults: false` gives the model before
 * faulting (tests use it to see where the faults changed it).
 */
export function rasterizeVelocityModel(description: VelocityModelDescription, options: { withFaults?: boolean } = {}): Float32Array {
  const { nz, nx } = description.shape;
  const faults = options.withFaults === false ? [] : description.faults;
  const shift = foldShifts(description);
  const velocityMps = new Float32Array(nz * nx);
  for (let z = 0; z < nz; z += 1) {
    for (let x = 0; x < nx; x += 1) {
      const layer = layerAt(description, shift, unfaultedDepth(faults, z, x), x);
      velocityMps[z * nx + x] = description.layerVelocitiesMps[layer];
    }
  }
  return velocityMps;
}

/** Velocity model of sample `index` of the dataset (family, seed): float32 [nz, nx] in m/s. */
export function velocityModelForSample(
  family: VelocityFamily,
  seed: number,
  index: number,
  shape: ModelShape = OPENFWI_MODEL_SHAPE,
): Float32Array {
  return rasterizeVelocityModel(describeVelocityModel(family, seed, index, shape));
}

/** Samples start … start+count−1 of the dataset (family, seed): float32 [count, 1, nz, nx] in m/s. */
export function generateVelocityModels(
  family: VelocityFamily,
  seed: number,
  count: number,
  options: { start?: number; shape?: ModelShape } = {},
): Float32Array {
  const shape = options.shape ?? OPENFWI_MODEL_SHAPE;
  const start = options.start ?? 0;
  if (!Number.isSafeInteger(seed)) throw new StudioError('bad_input', `Seed ${seed} is not a whole number; use an integer.`);
  if (!Number.isInteger(count) || count < 0) throw new StudioError('bad_input', `Model count ${count}: use a whole number ≥ 0.`);
  const cells = shape.nz * shape.nx;
  const models = new Float32Array(count * cells);
  for (let i = 0; i < count; i += 1) models.set(velocityModelForSample(family, seed, start + i, shape), i * cells);
  return models;
}
