/**
 * Each model judged against the declared quality limits (contract/modelQuality.ts): inversion
 * networks by their velocity MAE on real OpenFWI families, stage 1 also by its seismic
 * reconstruction, stage 2 by the PDE deviation of the pairs it generates — measured in this project
 * where it generated physics-checked pairs, else (for the shipped default) as the model card measured it.
 */
import { qualityCheck, qualityWarning, type ModelQuality, type QualityCheck } from '../contract/modelQuality.ts';
import { shippedCard, type ModelEntry } from '../ml/modelRegistry.ts';

/** Mean PDE deviation of a stage-2 model's generated pairs in the open project. */
export interface GeneratedDeviation {
  stage2Ref: string;
  samples: number;
  meanPdeRelL2: number;
}

function metric(manifest: Record<string, unknown>, key: string): number | null {
  const metrics = manifest.metrics as Record<string, unknown> | undefined;
  const value = metrics?.[key];
  return typeof value === 'number' ? value : null;
}

function samplesOf(manifest: Record<string, unknown>, prefix: string): string {
  const n = metric(manifest, `${prefix}/samples`);
  return n === null ? 'held-out evaluation at the end of training' : `${n} pairs at the end of training`;
}

interface CardGeneration {
  samples?: number;
  sampler?: string;
  generated_mean_pde_rel_l2?: number;
  generated_over_reconstruction?: number;
}

export function assessModel(model: ModelEntry, generated: readonly GeneratedDeviation[]): ModelQuality {
  const checks: QualityCheck[] = [];
  const { manifest } = model;
  if (model.kind === 'inversionnet' || model.kind === 'stage1') {
    const flat = metric(manifest, 'real-flatvel-a/velocity_mae');
    if (flat !== null) checks.push(qualityCheck('velocityMaeFlatVelA', flat, `real FlatVel-A, ${samplesOf(manifest, 'real-flatvel-a')}`));
    const curve = metric(manifest, 'real-curvevel-a/velocity_mae');
    if (curve !== null) checks.push(qualityCheck('velocityMaeCurveVelA', curve, `real CurveVel-A, ${samplesOf(manifest, 'real-curvevel-a')}`));
  }
  if (model.kind === 'stage1') {
    const seismic = metric(manifest, 'seismic_relative_l2_amplitude');
    if (seismic !== null) checks.push(qualityCheck('seismicRelativeL2Amplitude', seismic, `held-out pairs (${metric(manifest, 'samples') ?? '?'})`));
  }
  if (model.kind === 'stage2') {
    const here = generated.find((g) => g.stage2Ref === model.ref && g.samples > 0);
    const card = model.source === 'shipped' ? ((shippedCard()?.generation as CardGeneration | undefined) ?? null) : null;
    if (here) {
      checks.push(qualityCheck('generatedPdeRelL2', here.meanPdeRelL2, `mean of ${here.samples} pair${here.samples === 1 ? '' : 's'} generated in this project`));
    } else if (card && typeof card.generated_mean_pde_rel_l2 === 'number') {
      checks.push(qualityCheck('generatedPdeRelL2', card.generated_mean_pde_rel_l2, `model card: ${card.samples ?? '?'} pairs, ${card.sampler ?? 'AB3'}`));
    }
    if (card && typeof card.generated_over_reconstruction === 'number') {
      checks.push(qualityCheck('generatedOverReconstruction', card.generated_over_reconstruction, `model card: ${card.samples ?? '?'} pairs`));
    }
  }
  return { ref: model.ref, checks, warning: qualityWarning(checks) };
}
