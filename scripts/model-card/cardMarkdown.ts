/**
 * native-models/MODEL_CARD.md from the figures of card.json alone (a test checks that the committed
 * card is what this makes of the committed card.json).
 */
import type { CardMetrics, SetMetrics, VelocityMetrics } from './modelCard.ts';
import type { CardGeneration, TargetResult } from './cardTargets.ts';
import { PUBLISHED_INVERSIONNET } from './cardTargets.ts';
import type { CurveTrend } from './learningCurves.ts';
import type { TrainingMeanSet } from './trainingMeans.ts';

/** What a manifest's training block says about one network's training. */
export interface TrainingRecord {
  parameters: number | null;
  steps: number | null;
  batch_size: number | null;
  samples_seen: number | null;
  training_time_s: number | null;
  /** A warm-started run: the training of the runs it started from, summed; null for a fresh run. */
  earlier: { runs: number; steps: number; samples_seen: number; training_time_s: number } | null;
  device: string | null;
  torch_version: string | null;
  data_pairs: number | null;
  families: string[];
  seismic_limits: [number, number] | null;
  network_seismic_size: number[] | null;
}

export interface ModelCard extends CardMetrics {
  generation: CardGeneration;
  targets: TargetResult[];
  published: typeof PUBLISHED_INVERSIONNET;
  /** Where the trivial predictors' means come from. */
  trivial: TrainingMeanSet & { samples: number; cache: string };
  training: Record<'stage1' | 'stage2' | 'inversionnet', TrainingRecord>;
  onnx_megabytes: number;
  /** Learning curves from the campaign's logs (repository-relative paths), or null when none were given. */
  curves: { summary: string; png: string; logs: string[]; trends: CurveTrend[] } | null;
}

const fmt = (x: number | null | undefined, digits = 4): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
/** A mean with its standard error where the card has one ("0.0438 ± 0.0031"). */
const withError = (x: number | null | undefined, standardError: number | null | undefined): string =>
  typeof standardError === 'number' && Number.isFinite(standardError) ? `${fmt(x)} ± ${fmt(standardError)}` : fmt(x);
const count = (x: number | null | undefined): string => (typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '?');
const hours = (seconds: number): string => (seconds < 5400 ? `${(seconds / 60).toFixed(0)} min` : `${(seconds / 3600).toFixed(1)} h`);
const FAMILY_NAMES: Record<string, string> = { FlatVelA: 'FlatVel-A', CurveVelA: 'CurveVel-A', FlatFaultA: 'FlatFault-A' };
const KIND_NAMES: Record<string, string> = { stage1: 'Stage 1', inversionnet: 'InversionNet', stage2: 'Stage 2' };
const SPLIT_NAMES: Record<string, string> = { validation: 'held-out pairs', 'real-flatvel-a': 'real FlatVel-A', 'real-curvevel-a': 'real CurveVel-A' };
const METRIC_NAMES: Record<string, string> = { velocity_mae: 'velocity MAE', seismic_relative_l2_amplitude: 'seismic relative L2' };

function sets(card: ModelCard): { name: string; metrics: SetMetrics }[] {
  return [
    { name: `held-out (${card.heldOut.samples})`, metrics: card.heldOut },
    ...Object.entries(card.realOpenfwi).map(([family, m]) => ({ name: `real ${FAMILY_NAMES[family] ?? family} (${m.samples})`, metrics: m })),
  ];
}

function targetCell(card: ModelCard, id: string): string {
  const t = card.targets.find((x) => x.id === id);
  return t ? `≤ ${t.limit} ${t.pass ? '(pass)' : '(**fail**)'}` : '—';
}

function velocityTable(card: ModelCard): string {
  const columns = sets(card);
  const row = (label: string, cells: string[]): string => `| ${label} | ${cells.join(' | ')} |`;
  const lines = [row('predictor', columns.map((c) => c.name)), row('---', columns.map(() => '---'))];
  const metrics = [
    ['MAE', 'velocity_mae'],
    ['RMSE', 'velocity_rmse'],
    ['SSIM', 'velocity_ssim'],
  ] as const;
  const cell = (m: VelocityMetrics | undefined, key: (typeof metrics)[number][1]): string =>
    key === 'velocity_mae' ? withError(m?.velocity_mae, m?.velocity_mae_sem) : fmt(m?.[key]);
  for (const [label, key] of metrics) {
    lines.push(row(`InversionNet, ${label}`, columns.map((c) => cell(c.metrics.inversionnet, key))));
    lines.push(row(`Stage 1 (seismic → latent → velocity), ${label}`, columns.map((c) => cell(c.metrics.stage1_inversion, key))));
    lines.push(row(`trivial: training data's per-pixel mean velocity, ${label}`, columns.map((c) => cell(c.metrics.baselines?.mean_velocity, key))));
  }
  const family = (name: string): string | undefined => Object.keys(FAMILY_NAMES).find((f) => name.startsWith(`real ${FAMILY_NAMES[f]} `));
  lines.push(row("OpenFWI's InversionNet (published), MAE", columns.map((c) => {
    const range = PUBLISHED_INVERSIONNET.velocity_mae[family(c.name) ?? ''];
    return range ? `${range[0]}–${range[1]}` : '—';
  })));
  const targetIds: Record<string, [string, string]> = { FlatVelA: ['inversionnet-mae-flatvel-a', 'stage1-mae-flatvel-a'], CurveVelA: ['inversionnet-mae-curvevel-a', 'stage1-mae-curvevel-a'] };
  lines.push(row('target, InversionNet MAE', columns.map((c) => (targetIds[family(c.name) ?? ''] ? targetCell(card, targetIds[family(c.name)!][0]) : '—'))));
  lines.push(row('target, Stage 1 MAE', columns.map((c) => (targetIds[family(c.name) ?? ''] ? targetCell(card, targetIds[family(c.name)!][1]) : '—'))));
  return lines.join('\n');
}

function seismicTable(card: ModelCard): string {
  const columns = sets(card);
  const row = (label: string, cells: string[]): string => `| ${label} | ${cells.join(' | ')} |`;
  const target = (name: string): string => (name.startsWith('held-out') ? targetCell(card, 'stage1-seismic-held-out') : name.startsWith('real FlatVel-A') ? targetCell(card, 'stage1-seismic-flatvel-a') : '—');
  return [
    row('predictor', columns.map((c) => c.name)),
    row('---', columns.map(() => '---')),
    row('Stage 1 reconstruction', columns.map((c) => fmt(c.metrics.seismic_relative_l2))),
    row("trivial: training data's per-pixel mean seismic", columns.map((c) => fmt(c.metrics.baselines?.mean_seismic_relative_l2))),
    row('target', columns.map((c) => target(c.name))),
  ].join('\n');
}

/** What more compute would buy, from each followed curve's last slope. */
function computeOutlook(card: ModelCard): string {
  if (!card.curves) {
    return `No campaign log was given to this run of the card (\`npm run models:card -- --curves …\`), so it cannot say yet
what more compute would buy; with the campaign's logs it states, for each target a training curve follows,
what doubling the samples seen and what reaching the target would take at the curve's last slope.`;
  }
  if (card.curves.trends.length === 0) return 'The campaign logs hold fewer than two evaluations of the curves the targets follow: no slope yet.';
  const lines = card.curves.trends.map((t) => {
    const name = `${KIND_NAMES[t.kind] ?? t.kind}, ${METRIC_NAMES[t.metric] ?? t.metric} on ${SPLIT_NAMES[t.split] ?? t.split}`;
    const time = (samples: number): string => (t.samples_per_s ? ` (≈ ${hours(samples / t.samples_per_s)} of training at ${t.samples_per_s.toFixed(1)} samples/s)` : '');
    const head = `- ${name}: ${fmt(t.value)} at ${count(t.samples_seen)} samples (${fmt(t.previous_value)} at ${count(t.previous_samples_seen)}), last slope m ∝ samples^${t.exponent.toFixed(2)}.`;
    if (t.value <= t.limit) return `${head} The curve is under the target ${t.limit}.`;
    if (t.exponent >= 0) return `${head} Not falling over the last interval (a plateau, or noise between two evaluations): this slope gives no estimate of what more samples would buy.`;
    const more = t.samples_to_target! - t.samples_seen;
    return `${head} Doubling the samples seen${time(t.samples_seen)} would bring it to ≈ ${fmt(t.value_at_double)}; the target ${t.limit} would take ≈ ${count(t.samples_to_target)} samples in all, ${count(more)} more${time(more)}.`;
  });
  return `At each followed curve's last slope (a power law through the ends of its last two learning-rate cycles, or through its last two evaluations while fewer than two cycles have ended, on one evaluation set: points measured on a set that has since changed do not count; extrapolation, not a promise). The curves are the trainers' own evaluations (more real models than the card's 16), so a curve can be under a target that the table above fails:\n\n${lines.join('\n')}`;
}

function trainingSection(card: ModelCard): string {
  const kinds = ['stage1', 'stage2', 'inversionnet'] as const;
  const rows = kinds.map((kind) => {
    const t = card.training[kind];
    const earlier = t.earlier ? `${count(t.earlier.steps)} steps, ${count(t.earlier.samples_seen)} samples, ${hours(t.earlier.training_time_s)} (${t.earlier.runs === 1 ? 'one run' : `${t.earlier.runs} runs`})` : '—';
    return `| ${kind} | ${count(t.parameters)} | ${count(t.steps)} | ${count(t.batch_size)} | ${count(t.samples_seen)} | ${t.training_time_s ? hours(t.training_time_s) : '?'} | ${earlier} | ${t.device ?? '?'} (torch ${t.torch_version ?? '?'}) |`;
  });
  const s1 = card.training.stage1;
  const inv = card.training.inversionnet;
  const limits = s1.seismic_limits ? `${s1.seismic_limits[0]} / ${s1.seismic_limits[1]}` : '?';
  const curveVelLimits = s1.seismic_limits !== null && Math.abs(s1.seismic_limits[0] + 27.11) < 1e-6 && Math.abs(s1.seismic_limits[1] - 55.1) < 1e-6;
  const total = kinds.reduce((sum, k) => sum + (card.training[k].training_time_s ?? 0) + (card.training[k].earlier?.training_time_s ?? 0), 0);
  return `## Training data and compute
Synthesised by the studio's own solver (\`wavediff synth\`, OpenFWI's forward-modelling geometry; seed 11 for
training, 97 for held-out pairs: \`scripts/train-default-models.sh\`), never OpenFWI's files (their licence is
non-commercial): ${count(s1.data_pairs)} training pairs of ${s1.families.join(', ')}. Seismic normalised as
sign·log1p then min–max between the raw limits ${limits}${curveVelLimits ? " (CurveVel-A's, wide enough for all four families)" : ''};
network seismic input: stage 1 ${s1.network_seismic_size?.join(' × ') ?? '?'}, InversionNet ${inv.network_seismic_size?.join(' × ') ?? '?'} (time × receivers).

| network | parameters | steps | batch | samples seen | training time | started from | device |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${hours(total)} of training in all, as the manifests' training blocks record it. "Started from": a run
that began from the weights of earlier runs (stage 1's velocity-decoder refit on the first joint run's
latents and the joint run of all of stage 1 from that refit; stage 2 warm-started on a new stage-1 latent
space) counts its own steps; the earlier runs' are summed there.
A stage 2 keeps its training when stage 1's decoders alone are retrained: it is re-paired with that stage 1
(the same latent space), not retrained, unless the training data changed (the campaign's STAGE2_RETRAIN=1).

### What more compute would buy
${computeOutlook(card)}`;
}

function generationSection(card: ModelCard): string {
  const g = card.generation;
  return `## Generation: PDE deviation
Mean ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ over ${g.samples} pairs each (\`wavediff probe --model default --count ${g.samples} --json\`): the
decoded seismic against the FD seismic of the decoded velocity.

| pairs | mean PDE deviation | target |
|---|---|---|
| generated (${g.sampler}) | **${fmt(g.generated_mean_pde_rel_l2)}** | ${targetCell(card, 'generated-pde')} |
| stage-1 reconstructions of held-out pairs (seed ${g.holdout_seed}) | **${fmt(g.reconstruction_mean_pde_rel_l2)}** | |
| generated ÷ reconstructions | **${fmt(g.generated_over_reconstruction, 2)}** | ${targetCell(card, 'generated-over-reconstruction')} |
| reconstructions of the ${card.heldOut.samples} held-out pairs above | ${fmt(card.heldOut.reconstruction_pde_rel_l2)} | |
| secondary: decoded from random latents, no denoising | ${fmt(g.random_mean_pde_rel_l2)} | |

The random-latent row is no measure of quality: latents drawn from N(0, I) without denoising lie outside
what the decoders were trained on and decode to exploding amplitudes, so its ratio to the denoised figure
says little. The headline is how close generated pairs come to the physics, and to reconstructions.

Along the sampler (decoded x̂₀ at each checked step): ${g.curve.map((c) => `step ${c.step} (t=${c.t}): ${fmt(c.mean_pde_rel_l2)}`).join('; ')}.`;
}

function curvesSection(card: ModelCard): string {
  if (!card.curves) {
    return `## Learning curves
None yet: this card was made without the campaign's logs. \`npm run models:card -- --curves
~/.cache/wavediff-studio/training/{stage1,inversionnet,stage2}.jsonl\` (or \`WAVEDIFF_CARD_CURVES\`) draws
\`native-models/learning-curves.png\` and keeps a compact summary in \`native-models/campaign/curves.json\`.`;
  }
  return `## Learning curves
![Learning curves](learning-curves.png)

Held-out metrics against samples seen, EMA weights, from the campaign's logs (${card.curves.logs.join(', ')});
a run started from trained weights (stage 1's velocity-decoder refit, the joint run after it) continues their curve. The summary \`${card.curves.summary}\` remakes the figure alone:
\`/usr/bin/python3 -m wavediff_models.plot_curves --summary ../${card.curves.summary} --png ../${card.curves.png}\` (in \`native-models/\`).
The trainers measure seismic relative L2 at the network's input size (time averaged); the tables above at
the native 1000 × 70 grid.`;
}

export function renderModelCard(card: ModelCard): string {
  const perFamily = Object.entries(card.heldOut.perFamily)
    .map(([f, m]) => `| ${f} | ${fmt(m.inversionnet.velocity_mae)} | ${fmt(m.stage1_inversion.velocity_mae)} | ${fmt(m.baselines?.mean_velocity.velocity_mae)} | ${fmt(m.seismic_relative_l2)} | ${fmt(m.baselines?.mean_seismic_relative_l2)} | ${fmt(m.reconstruction_pde_rel_l2)} |`)
    .join('\n');
  const passed = card.targets.filter((t) => t.pass).length;
  return `# Model card — WaveDiffusion Studio default models

The three networks the studio ships in \`native-models/default/\` (${card.onnx_megabytes.toFixed(1)} MB of ONNX together):
stage 1 (shared seismic–velocity latent space: encoder, vector quantiser, seismic and velocity decoders),
stage 2 (latent diffusion denoiser, ε-prediction, linear β 0.0015 → 0.0155 over 1000 steps) and
InversionNet (seismic → velocity). Architectures and the manifest format: \`native-models/README.md\`.

## Targets (issue 8, "models that work"): ${passed} of ${card.targets.length} met

| target | value | limit | |
|---|---|---|---|
${card.targets.map((t) => `| ${t.description} | ${withError(t.value, t.standard_error)} | ≤ ${t.limit} | ${t.pass ? 'pass' : '**fail**'} |`).join('\n')}

## How the figures are made
- Held-out pairs: ${card.heldOut.samples} synthetic pairs (the first 16 of each A family's held-out synthesis, seed 97).
- Real OpenFWI velocity models (never seen in training): the first ${Object.values(card.realOpenfwi)[0]?.samples ?? '?'} of \`vmodel11.npy\` of each family in
  \`shared/testdata/openfwi\`, modelled with OpenFWI's geometry by the studio's solver (which matches OpenFWI's
  forward modelling to a relative L2 of about 1e-5).
- Velocity MAE and RMSE on OpenFWI's [−1, 1] scale, SSIM on [0, 1] (11 × 11 Gaussian window, σ = 1.5), as the
  field reports them. "± x" beside an MAE is its standard error over the set's models (sample standard
  deviation of the per-model MAEs / √n; pooled sets: that of a mean of the families' means): how far the
  figure would move with another draw of models from the same family. A pass mark compares the mean itself. Seismic relative L2 ‖ŝ − s‖₂ / ‖s‖₂ per sample in physical units at the native
  5 × 1000 × 70 grid, averaged over samples.
- Trivial predictors: whatever the input, predict the per-pixel mean seismic or mean velocity of the training
  data. The training data is synthesised, so the means come from a deterministic synthesis of the same
  families with the training seed ${card.trivial.seed}: the first ${card.trivial.perFamily} pairs of each of ${card.trivial.families.join(', ')}
  (${card.trivial.samples} pairs, exactly the first training pairs of each family; cached in \`${card.trivial.cache}\`).
- Published: ${card.published.source}.

## Velocity
${velocityTable(card)}

## Stage 1's seismic reconstruction (relative L2, physical units)
${seismicTable(card)}

Held-out pairs by family:

| family | InversionNet MAE | Stage 1 MAE | mean-velocity MAE | Stage 1 seismic rel. L2 | mean-seismic rel. L2 | reconstruction PDE deviation |
|---|---|---|---|---|---|---|
${perFamily}

${generationSection(card)}

${trainingSection(card)}

${curvesSection(card)}

## Remaking
\`\`\`
npm run models:train-defaults   # synthesis + training of the three networks (CUDA when available)
npm run models:card -- --curves ~/.cache/wavediff-studio/training/{stage1,inversionnet,stage2}.jsonl
\`\`\`
\`scripts/model-card/defaultModels.test.ts\` checks that the shipped models reproduce the held-out and real
OpenFWI figures above, and that this card is what \`native-models/default/card.json\` says.
`;
}
