/**
 * What the model card measures the default models against: OpenFWI's published InversionNet
 * figures and the targets of issue 8 ("models that work"), each with a pass/fail mark, and for the
 * targets a training curve follows, the curve (kind, split, metric of the trainer's logs).
 */
import type { CardMetrics } from './modelCard.ts';
import { QUALITY_LIMITS } from '../../main/core/contract/modelQuality.ts';

/** InversionNet as the OpenFWI paper reports it (Deng et al., 2022): MAE on the [−1, 1] scale. */
export const PUBLISHED_INVERSIONNET = {
  source: 'OpenFWI paper (Deng et al., 2022), InversionNet trained on the family\'s own training files (48 × 500 pairs)',
  velocity_mae: { FlatVelA: [0.0065, 0.013], CurveVelA: [0.05, 0.07] } as Record<string, [number, number]>,
};

export interface CardGeneration {
  samples: number;
  sampler: string;
  /** Mean PDE deviation ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ of generated pairs (denoised latents, decoded). */
  generated_mean_pde_rel_l2: number;
  /** The same for stage-1 reconstructions of held-out pairs (the probe's own, seed `holdout_seed`). */
  reconstruction_mean_pde_rel_l2: number;
  generated_over_reconstruction: number;
  /** Secondary: pairs decoded from random latents without denoising. */
  random_mean_pde_rel_l2: number;
  holdout_seed: number;
  curve: { step: number; t: number; mean_pde_rel_l2: number }[];
}

/** A learning curve in the trainer's logs: network kind, evaluation split and metric name. */
export interface CurveRef {
  kind: 'stage1' | 'inversionnet' | 'stage2';
  split: string;
  metric: string;
}

export interface Target {
  id: string;
  description: string;
  limit: number;
  value: (card: CardMetrics & { generation: CardGeneration }) => number;
  /** The value's standard error over the models it averages, where the card measures one. */
  standardError?: (card: CardMetrics) => number | undefined;
  curve?: CurveRef;
}

export interface TargetResult {
  id: string;
  description: string;
  value: number;
  /** Beside the value, not part of the mark: the mean itself is compared with the limit. */
  standard_error?: number;
  limit: number;
  pass: boolean;
}

const real = (card: CardMetrics, family: string) => card.realOpenfwi[family];
/** A target on a network's velocity MAE over a family's real models, with its standard error. */
const realMae = (family: string, network: 'inversionnet' | 'stage1_inversion') => ({
  value: (c: CardMetrics) => real(c, family)[network].velocity_mae,
  standardError: (c: CardMetrics) => real(c, family)[network].velocity_mae_sem,
});

export const TARGETS: Target[] = [
  { id: 'inversionnet-mae-flatvel-a', description: 'InversionNet velocity MAE, real FlatVel-A', limit: QUALITY_LIMITS.velocityMaeFlatVelA, ...realMae('FlatVelA', 'inversionnet'), curve: { kind: 'inversionnet', split: 'real-flatvel-a', metric: 'velocity_mae' } },
  { id: 'inversionnet-mae-curvevel-a', description: 'InversionNet velocity MAE, real CurveVel-A', limit: QUALITY_LIMITS.velocityMaeCurveVelA, ...realMae('CurveVelA', 'inversionnet'), curve: { kind: 'inversionnet', split: 'real-curvevel-a', metric: 'velocity_mae' } },
  { id: 'stage1-mae-flatvel-a', description: 'Stage 1 (seismic → latent → velocity) MAE, real FlatVel-A', limit: QUALITY_LIMITS.velocityMaeFlatVelA, ...realMae('FlatVelA', 'stage1_inversion'), curve: { kind: 'stage1', split: 'real-flatvel-a', metric: 'velocity_mae' } },
  { id: 'stage1-mae-curvevel-a', description: 'Stage 1 (seismic → latent → velocity) MAE, real CurveVel-A', limit: QUALITY_LIMITS.velocityMaeCurveVelA, ...realMae('CurveVelA', 'stage1_inversion'), curve: { kind: 'stage1', split: 'real-curvevel-a', metric: 'velocity_mae' } },
  { id: 'stage1-seismic-flatvel-a', description: 'Stage 1 seismic relative L2 (physical units), real FlatVel-A', limit: QUALITY_LIMITS.seismicRelativeL2Amplitude, value: (c) => real(c, 'FlatVelA').seismic_relative_l2, curve: { kind: 'stage1', split: 'real-flatvel-a', metric: 'seismic_relative_l2_amplitude' } },
  { id: 'stage1-seismic-held-out', description: 'Stage 1 seismic relative L2 (physical units), held-out pairs', limit: QUALITY_LIMITS.seismicRelativeL2Amplitude, value: (c) => c.heldOut.seismic_relative_l2, curve: { kind: 'stage1', split: 'validation', metric: 'seismic_relative_l2_amplitude' } },
  { id: 'generated-pde', description: 'Generated pairs (AB3, 20 steps): mean PDE deviation', limit: QUALITY_LIMITS.generatedPdeRelL2, value: (c) => c.generation.generated_mean_pde_rel_l2 },
  { id: 'generated-over-reconstruction', description: 'Generated pairs\' mean PDE deviation ÷ that of reconstructions', limit: QUALITY_LIMITS.generatedOverReconstruction, value: (c) => c.generation.generated_over_reconstruction },
];

/** Every target with its value on `card` and a pass mark (value ≤ limit; a non-finite value fails). */
export function assessTargets(card: CardMetrics & { generation: CardGeneration }): TargetResult[] {
  return TARGETS.map((t) => {
    const value = t.value(card);
    const standardError = t.standardError?.(card);
    return {
      id: t.id,
      description: t.description,
      value,
      ...(typeof standardError === 'number' ? { standard_error: standardError } : {}),
      limit: t.limit,
      pass: Number.isFinite(value) && value <= t.limit,
    };
  });
}

/** The targets a training curve follows, as plot_curves.py reads them ({kind, split, metric, limit}). */
export function curveTargets(): (CurveRef & { limit: number; id: string })[] {
  return TARGETS.filter((t) => t.curve).map((t) => ({ id: t.id, ...t.curve!, limit: t.limit }));
}
