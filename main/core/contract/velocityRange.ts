/**
 * OpenFWI's velocity range, the one declaration: the networks see velocity normalised linearly
 * from [1500, 4500] m/s to [−1, 1] (v_norm = 2 (v − 1500)/(4500 − 1500) − 1), so an error of e on
 * the normalised scale is e · (4500 − 1500)/2 = 1500 e m/s. Imported by the core and the renderer.
 */
export const OPENFWI_VELOCITY_RANGE_MPS = { min: 1500, max: 4500 } as const;

/** Metres per second per unit of the normalised [−1, 1] velocity scale (1500 for OpenFWI's range). */
export const MPS_PER_NORMALISED_UNIT = (OPENFWI_VELOCITY_RANGE_MPS.max - OPENFWI_VELOCITY_RANGE_MPS.min) / 2;

/** A velocity error (MAE, RMSE, a difference) on the [−1, 1] scale, in m/s. */
export function normalisedErrorToMps(error: number): number {
  return error * MPS_PER_NORMALISED_UNIT;
}

/** A velocity on the [−1, 1] scale, in m/s. */
export function normalisedToMps(value: number): number {
  return OPENFWI_VELOCITY_RANGE_MPS.min + (value + 1) * MPS_PER_NORMALISED_UNIT;
}
