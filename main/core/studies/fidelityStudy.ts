/**
 * Study 2, distribution fidelity, as a study kind: a real set (a project dataset of pairs, or
 * held-out pairs synthesised from the stage-1 model's training families) against a generated one (a
 * project dataset of generated pairs, e.g. a generation run's, or as many diffusion samples decoded
 * through stage 1 by the generation pipeline's sampler and decoders), measured by measureFidelity
 * (fidelity.ts).
 */
import { samplerShortName, type StudyParams } from '../contract/parameters.ts';
import { StudioError } from '../contract/errors.ts';
import { throwIfCancelled } from '../util/abort.ts';
import { decodeLatents, loadGenerationModels, sampleLatents, type GenerationModels } from '../generation/pipeline.ts';
import { measureFidelity, type FidelityDomainResult, type FidelityResult, type PairSet } from './fidelity.ts';
import { datasetInput, heldOutInput, type SeismicInput } from './studyInputs.ts';
import { SPECTRUM_BANDS } from './powerSpectrum.ts';
import type { StudyContext, StudyKind, StudyOutcome, StudyPlot } from './studyKind.ts';

type Params = StudyParams<'fidelity'>;
const BATCH = 8;

function pairsOf(input: SeismicInput): { set: PairSet; source: string } {
  if (!input.readVelocity) throw new StudioError('bad_input', `${input.source} has no velocity models: the fidelity study compares pairs; choose a dataset of pairs.`);
  return { set: { count: input.samples, seismic: input.readSeismic(0, input.samples), velocityMps: input.readVelocity(0, input.samples) }, source: input.source };
}

async function realSet(ctx: StudyContext, params: Params, models: GenerationModels): Promise<{ set: PairSet; source: string }> {
  return pairsOf(params.datasetId !== undefined ? datasetInput(ctx, params.datasetId, models.stage1, params.count) : await heldOutInput(ctx, models.stage1, params.count));
}

async function generatedSet(ctx: StudyContext, params: Params, models: GenerationModels): Promise<{ set: PairSet; source: string }> {
  if (params.generatedDatasetId !== undefined) return pairsOf(datasetInput(ctx, params.generatedDatasetId, models.stage1, params.count));
  return {
    set: await sampleGenerated(ctx, params, models),
    source: `${params.count} ${samplerShortName(params.sampler)} samples of ${models.refs.stage2}, seeds ${params.seed} … ${params.seed + params.count - 1}, decoded by ${models.refs.stage1}`,
  };
}

async function sampleGenerated(ctx: StudyContext, params: Params, models: GenerationModels): Promise<PairSet> {
  const perSeismic = models.stage1.seismicShape.reduce((a, b) => a * b, 1);
  const perVelocity = models.stage1.velocityShape.reduce((a, b) => a * b, 1);
  const seismic = new Float32Array(params.count * perSeismic);
  const velocityMps = new Float32Array(params.count * perVelocity);
  for (let start = 0; start < params.count; start += BATCH) {
    throwIfCancelled(ctx.signal);
    const seeds = Array.from({ length: Math.min(BATCH, params.count - start) }, (_, i) => params.seed + start + i);
    ctx.progress({ done: start, total: params.count, unit: 'pairs', message: `sampling ${samplerShortName(params.sampler)}` });
    const { x0 } = await sampleLatents(models, params.sampler, seeds, { signal: ctx.signal });
    const pairs = await decodeLatents(models, x0, seeds.length);
    seismic.set(pairs.seismic, start * perSeismic);
    velocityMps.set(pairs.velocityMps, start * perVelocity);
  }
  ctx.progress({ done: params.count, total: params.count, unit: 'pairs', message: 'generated' });
  return { count: params.count, seismic, velocityMps };
}

const domainSummary = (d: FidelityDomainResult) => ({
  fd: d.frechet.fd,
  fd_bootstrap: { mean: d.frechet.bootstrap.mean, std: d.frechet.bootstrap.std, p05: d.frechet.bootstrap.p05, p95: d.frechet.bootstrap.p95, resamples: d.frechet.bootstrap.resamples },
  spectrum_rmse: Object.fromEntries(d.spectrum.bands.map((b) => [b.band, b.rmse])) as Record<(typeof SPECTRUM_BANDS)[number], number>,
  features: d.features,
  dimension: d.dimension,
});

function domainPlots(name: 'velocity' | 'seismic', d: FidelityDomainResult): StudyPlot[] {
  const perSample = name === 'seismic' ? 'shot gathers' : 'velocity models';
  return [
    {
      name: `embedding-${name}`,
      title: `UMAP of the ${name} features, real and generated`,
      chart: { kind: 'scatter', title: `${name}: UMAP of the features`, xLabel: 'UMAP 1', yLabel: 'UMAP 2', series: [{ name: 'real', points: d.embedding.real }, { name: 'generated', points: d.embedding.generated }] },
    },
    {
      name: `spectrum-${name}`,
      title: `Isotropic power spectra of the ${perSample}`,
      chart: {
        kind: 'line',
        title: `${name}: isotropic power spectrum`,
        xLabel: 'radial frequency (cycles per sample)',
        yLabel: 'mean |X|^2',
        logY: true,
        series: [
          { name: 'real', points: d.spectrum.frequency.map((f, j) => [f, d.spectrum.real[j]]) },
          { name: 'generated', points: d.spectrum.frequency.map((f, j) => [f, d.spectrum.generated[j]]) },
        ],
      },
    },
  ];
}

export function fidelityOutcome(params: Params, result: FidelityResult, m: { source: string; generatedSource: string; refs: GenerationModels['refs'] }): StudyOutcome {
  const summary = { velocity: domainSummary(result.velocity), seismic: domainSummary(result.seismic), real: result.real, generated: result.generated };
  const row = (name: string, d: FidelityDomainResult) => [name, d.dimension, d.frechet.fd, d.frechet.bootstrap.std, d.frechet.bootstrap.p05, d.frechet.bootstrap.p95, ...d.spectrum.bands.map((b) => b.rmse)];
  const fmt = (x: number): string => x.toPrecision(3);
  const bandText = (d: FidelityDomainResult): string => d.spectrum.bands.map((b) => `${b.band} ${fmt(b.rmse)}`).join(', ');
  return {
    summary,
    results: {
      models: m.refs,
      real: { source: m.source, count: result.real },
      generated: { count: result.generated, source: m.generatedSource, ...(params.generatedDatasetId === undefined ? { sampler: params.sampler, seeds: `${params.seed} … ${params.seed + params.count - 1}`, decoded: 'quantised and decoded by stage 1 (the generation pipeline)' } : {}) },
      seeds: { sampler: 'seed + i', bootstrap: 'mixSeed(seed, 0xf1de0002)', embedding: 'mixSeed(seed, 0xf1de0001)' },
      velocity: result.velocity,
      seismic: result.seismic,
      definitions: {
        fd: '‖μ_r − μ_g‖² + tr Σ_r + tr Σ_g − 2 tr (Σ_r^½ Σ_g Σ_r^½)^½, unbiased covariances',
        bootstrap: 'both sets resampled with replacement; mean, std and 5th/95th percentiles of the FD',
        spectrum: 'isotropic power spectrum in cycles per sample (fields zero-padded to powers of two, shells of width 0.5/J); RMSE of P_generated/P_real − 1 over the shells of three bands log-spaced between the first and last shell centres',
      },
    },
    table: {
      columns: ['domain', 'feature dims', 'FD', 'bootstrap std', 'p05', 'p95', 'spectrum RMSE low', 'mid', 'high'],
      rows: [row('velocity', result.velocity), row('seismic', result.seismic)],
    },
    plots: [
      {
        name: 'frechet',
        title: 'Fréchet distance with its bootstrap spread',
        chart: {
          kind: 'bar',
          title: 'Frechet distance, real vs generated',
          xLabel: 'domain',
          yLabel: 'FD',
          categories: ['velocity', 'seismic'],
          series: [
            { name: 'FD', values: [result.velocity.frechet.fd, result.seismic.frechet.fd] },
            { name: 'bootstrap p05', values: [result.velocity.frechet.bootstrap.p05, result.seismic.frechet.bootstrap.p05] },
            { name: 'bootstrap p95', values: [result.velocity.frechet.bootstrap.p95, result.seismic.frechet.bootstrap.p95] },
          ],
        },
      },
      ...domainPlots('velocity', result.velocity),
      ...domainPlots('seismic', result.seismic),
      {
        name: 'relative-spectra',
        title: 'Relative power spectra P_generated / P_real − 1',
        chart: {
          kind: 'line',
          title: 'Relative power spectrum, generated vs real',
          xLabel: 'radial frequency (cycles per sample)',
          yLabel: 'P_gen / P_real - 1',
          series: [
            { name: 'velocity', points: result.velocity.spectrum.frequency.map((f, j) => [f, result.velocity.spectrum.relative[j]]) },
            { name: 'seismic', points: result.seismic.spectrum.frequency.map((f, j) => [f, result.seismic.spectrum.relative[j]]) },
          ],
        },
      },
    ],
    sections: [
      {
        heading: 'Verdict',
        markdown: `Fréchet distance between ${result.real} real and ${result.generated} generated pairs: velocity ${fmt(result.velocity.frechet.fd)} (bootstrap ${fmt(result.velocity.frechet.bootstrap.p05)}–${fmt(result.velocity.frechet.bootstrap.p95)}), seismic ${fmt(result.seismic.frechet.fd)} (bootstrap ${fmt(result.seismic.frechet.bootstrap.p05)}–${fmt(result.seismic.frechet.bootstrap.p95)}). Relative power-spectrum RMSE by band: velocity ${bandText(result.velocity)}; seismic ${bandText(result.seismic)}. The Fréchet distance of finite sets is biased upwards, the more so with fewer pairs than feature dimensions (${result.real} pairs; ${result.velocity.dimension} and ${result.seismic.dimension} dimensions): compare models with studies of the same sizes, side by side.`,
      },
      {
        heading: 'Feature spaces',
        markdown: [
          `- **Seismic**: ${result.seismic.features} (${result.seismic.dimension} values). The stage-1 encoder is the representation the studio's own model learned of this seismic, it exists for every stage-1 model a user trains, and it needs no download (ImageNet Inception features mean nothing for shot gathers). Pooling keeps the dimension below what the set sizes can estimate a covariance for. Generated seismic is encoded again like the real one.`,
          `- **Velocity**: ${result.velocity.features} (${result.velocity.dimension} values). No shipped network encodes velocity (stage 1's encoder reads seismic; InversionNet's penultimate features are not an output of its ONNX graph), so the features are the maps themselves at a 7-cell resolution: layer depths, velocities and large structures.`,
          '',
          `Real set: ${m.source}. Generated set: ${m.generatedSource}. The 2-D embeddings are UMAP (umap-js) of both sets' features together. Power spectra after Rozet et al. 2025 (arXiv 2507.02608): isotropic spectra of velocity models and of shot gathers (in cycles per sample on both axes), RMSE of P_generated/P_real − 1 in low, mid and high bands spaced evenly in log frequency.`,
        ].join('\n'),
      },
    ],
  };
}

export async function runFidelity(ctx: StudyContext, params: Params): Promise<StudyOutcome> {
  const models = await loadGenerationModels(ctx.services.onnxPool(), { stage1: params.stage1, stage2: params.stage2, inversionnet: params.inversionnet }, { folder: ctx.projectDir, catalogue: ctx.catalogue });
  ctx.progress({ done: 0, total: params.count, unit: 'pairs', message: 'reading or synthesising the real set' });
  const real = await realSet(ctx, params, models);
  const generated = await generatedSet(ctx, params, models);
  const result = await measureFidelity(models.stage1, real.set, generated.set, {
    bootstrap: params.bootstrap,
    seed: params.seed,
    signal: ctx.signal,
    onProgress: (message) => ctx.progress({ done: params.count, total: params.count, unit: 'pairs', message }),
  });
  return fidelityOutcome(params, result, { source: real.source, generatedSource: generated.source, refs: models.refs });
}

export const fidelityStudy: StudyKind<'fidelity'> = {
  kind: 'fidelity',
  title: (p) => `Distribution fidelity: ${p.count} real and ${p.count} generated pairs, ${p.generatedDatasetId !== undefined ? `dataset ${p.generatedDatasetId}` : `${samplerShortName(p.sampler)}, seed ${p.seed}`}`,
  run: runFidelity,
};
