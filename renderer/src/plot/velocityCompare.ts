/** Comparing velocity models [depth, width] in m/s: the difference of two and a column's profile. Pure: no DOM. */

/** Δv = a − b per cell, and max |Δv| over the finite cells (0 when there are none). */
export function velocityDifference(a: Float32Array, b: Float32Array): { differenceMps: Float32Array; maxAbsMps: number } {
  if (a.length !== b.length) throw new Error(`The models differ in size (${a.length} and ${b.length} cells).`);
  const differenceMps = new Float32Array(a.length);
  let maxAbsMps = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    differenceMps[i] = d;
    if (Number.isFinite(d) && Math.abs(d) > maxAbsMps) maxAbsMps = Math.abs(d);
  }
  return { differenceMps, maxAbsMps };
}

/** v(z) down column `col` of a row-major [nz, nx] grid. */
export function columnProfile(values: Float32Array, nz: number, nx: number, col: number): Float32Array {
  if (!(col >= 0 && col < nx)) throw new Error(`Column ${col} is outside the model's 0–${nx - 1}.`);
  const out = new Float32Array(nz);
  for (let z = 0; z < nz; z++) out[z] = values[z * nx + col];
  return out;
}
