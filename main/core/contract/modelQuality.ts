/**
 * What makes a model fit for use, declared once: the limits the model card measures the shipped
 * defaults against (scripts/model-card/cardTargets.ts imports them), the Models view shows every
 * model against, and the generate and export flows warn with. Each check says in words what failing
 * it means for the pairs a user would make.
 */
import { z } from 'zod';
import { normalisedErrorToMps } from './velocityRange.ts';

/** Upper limits (lower is better for all). Velocity MAE is on OpenFWI's [−1, 1] scale. */
export const QUALITY_LIMITS = {
  /** Velocity MAE on real OpenFWI FlatVel-A (OpenFWI's InversionNet: 0.0065–0.013). */
  velocityMaeFlatVelA: 0.04,
  /** Velocity MAE on real OpenFWI CurveVel-A (OpenFWI's InversionNet: 0.05–0.07). */
  velocityMaeCurveVelA: 0.1,
  /** Stage 1's seismic reconstruction ‖ŝ − s‖₂ / ‖s‖₂ in physical amplitude. */
  seismicRelativeL2Amplitude: 0.25,
  /** Mean PDE deviation ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ of generated pairs. */
  generatedPdeRelL2: 0.35,
  /** Generated pairs' mean PDE deviation ÷ that of stage 1's reconstructions of real pairs. */
  generatedOverReconstruction: 1.5,
} as const;
export type QualityLimitId = keyof typeof QUALITY_LIMITS;

export const qualityCheckSchema = z.object({
  id: z.string(),
  /** What was measured, in words ("PDE deviation of generated pairs"), and in a few ("PDE deviation"). */
  label: z.string(),
  shortLabel: z.string(),
  value: z.number(),
  limit: z.number(),
  pass: z.boolean(),
  /** What the value means for a user ("physically inconsistent"). */
  verdict: z.string(),
  /** Where the value comes from ("48 real FlatVel-A pairs", "120 pairs generated in this project"). */
  basis: z.string(),
});
export type QualityCheck = z.infer<typeof qualityCheckSchema>;

export const modelQualitySchema = z.object({
  ref: z.string(),
  checks: z.array(qualityCheckSchema),
  /** The checks that failed, as one sentence; null when every check passed or none could be made. */
  warning: z.string().nullable(),
});
export type ModelQuality = z.infer<typeof modelQualitySchema>;

const VERDICTS: Record<QualityLimitId, { label: string; shortLabel: string; pass: string; fail: string }> = {
  velocityMaeFlatVelA: { label: 'Velocity MAE, real FlatVel-A', shortLabel: 'FlatVel-A MAE', pass: 'within target', fail: 'velocity errors too large' },
  velocityMaeCurveVelA: { label: 'Velocity MAE, real CurveVel-A', shortLabel: 'CurveVel-A MAE', pass: 'within target', fail: 'velocity errors too large' },
  seismicRelativeL2Amplitude: { label: 'Seismic reconstruction rel. L2', shortLabel: 'Seismic rel. L2', pass: 'reconstructs the seismic', fail: 'seismic reconstruction poor' },
  generatedPdeRelL2: { label: 'PDE deviation of generated pairs', shortLabel: 'PDE deviation', pass: 'physically consistent', fail: 'physically inconsistent' },
  generatedOverReconstruction: { label: 'Generated ÷ reconstructed PDE deviation', shortLabel: 'Generated ÷ reconstructed', pass: 'as consistent as reconstructions', fail: 'generation adds inconsistency' },
};

/** A value judged against its limit; a non-finite value fails. */
export function qualityCheck(id: QualityLimitId, value: number, basis: string): QualityCheck {
  const limit = QUALITY_LIMITS[id];
  const pass = Number.isFinite(value) && value <= limit;
  const words = VERDICTS[id];
  const mps = id === 'velocityMaeFlatVelA' || id === 'velocityMaeCurveVelA' ? ` (≈ ${Math.round(normalisedErrorToMps(value))} m/s)` : '';
  return { id, label: words.label, shortLabel: words.shortLabel, value, limit, pass, verdict: `${pass ? words.pass : words.fail}${mps}`, basis };
}

/** The failed checks as one sentence a user reads before generating or exporting, or null. */
export function qualityWarning(checks: readonly QualityCheck[]): string | null {
  const failed = checks.filter((c) => !c.pass);
  if (failed.length === 0) return null;
  return failed.map((c) => `${c.label} ${formatQualityValue(c.value)} — ${c.verdict} (limit ${formatQualityValue(c.limit)}; ${c.basis})`).join('; ');
}

export function formatQualityValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 10 ? value.toFixed(1) : value.toPrecision(2);
}
