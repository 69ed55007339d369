/**
 * Evaluates the shipped default models and writes their model card (npm run models:card):
 *   native-models/default/card.json   the figures (a test checks the models still reproduce them)
 *   native-models/MODEL_CARD.md       the card: training data and time, held-out metrics, real
 *                                      OpenFWI results, PDE deviation of reconstructions, the
 *                                      generation probe (random vs denoised), how to remake them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OnnxSessionPool } from '../main/core/ml/onnxPool.ts';
import { FdWorkerPool } from '../main/core/physics/pool.ts';
import { evaluateShippedModels, HELD_OUT_SET, REAL_OPENFWI_SET, type VelocityMetrics } from '../main/core/ml/modelCard.ts';
import { runProbe } from '../main/core/generation/probe.ts';
import { shippedModels, shippedModelsDir } from '../main/core/training/modelRegistry.ts';

const probeCount = Number(process.env.PROBE_COUNT ?? 16);
const onnx = new OnnxSessionPool({ onNotice: (m) => console.log(`note: ${m}`) });
const fd = new FdWorkerPool();
try {
  console.log('Evaluating on the fixed held-out set and real OpenFWI models…');
  const metrics = await evaluateShippedModels(onnx, fd, (p) => console.log(`  ${p.done}/${p.total} ${p.message ?? ''}`));
  console.log(`Generation probe on ${probeCount} samples (AB3, 20 steps)…`);
  const probe = await runProbe(onnx, fd, { stage1: 'default', stage2: 'default', inversionnet: 'default' }, null, { count: probeCount, seed: 0, sampler: { kind: 'ab3', steps: 20 } });
  const generation = {
    samples: probeCount,
    sampler: 'ab3, 20 steps',
    random_mean_pde_rel_l2: probe.random.mean,
    denoised_mean_pde_rel_l2: probe.denoised.mean,
    reconstruction_mean_pde_rel_l2: probe.reconstruction.mean,
    random_over_denoised: probe.random.mean / probe.denoised.mean,
    curve: probe.curve.map((c) => ({ step: c.step, t: c.t, mean_pde_rel_l2: c.mean })),
  };
  fs.writeFileSync(path.join(shippedModelsDir(), 'card.json'), `${JSON.stringify({ ...metrics, generation }, null, 2)}\n`);

  const models = Object.fromEntries(shippedModels().map((m) => [m.kind, m]));
  const training = (kind: string): Record<string, any> => (models[kind]?.manifest.training ?? {}) as Record<string, any>;
  const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
  const row = (name: string, m: VelocityMetrics): string => `| ${name} | ${fmt(m.velocity_mae)} | ${fmt(m.velocity_rmse)} | ${fmt(m.velocity_ssim)} |`;
  const sizeMb = shippedModels().reduce((sum, m) => sum + fs.readdirSync(m.folder).reduce((s, f) => s + fs.statSync(path.join(m.folder, f)).size, 0), 0) / 1e6;
  const trainingRows = ['stage1', 'stage2', 'inversionnet'].map((kind) => {
    const t = training(kind);
    return `| ${kind} | ${models[kind]?.manifest.parameters ?? '?'} | ${t.steps ?? '?'} | ${t.batch_size ?? '?'} | ${t.samples_seen ?? '?'} | ${t.training_time_s ? (Number(t.training_time_s) / 60).toFixed(1) : '?'} min | ${t.device ?? '?'} (torch ${t.torch_version ?? '?'}) |`;
  });
  const data = training('stage1').data ?? {};
  const card = `# Model card — WaveDiffusion Studio default models

The three networks the studio ships in \`native-models/default/\` (${sizeMb.toFixed(1)} MB of ONNX together):
stage 1 (shared seismic–velocity latent space: encoder, vector quantiser, seismic and velocity decoders),
stage 2 (latent diffusion denoiser, ε-prediction, linear β 0.0015 → 0.0155 over 1000 steps) and
InversionNet (seismic → velocity, width 0.25). Architectures and the manifest format: \`native-models/README.md\`.

## Training data
Synthesised by the studio's own solver (\`wavediff synth\`, OpenFWI's forward-modelling geometry), never
OpenFWI's files (their licence is non-commercial): ${data.N ?? '?'} pairs, the four A families
(FlatVel-A, CurveVel-A, FlatFault-A, CurveFault-A; 400 each, seed 11); held-out pairs: the same families
with seed 97 (50 each). Seismic normalised with the CurveVel-A limits (−27.11 / 55.10) so that all four
families fit.

| network | parameters | steps | batch | samples seen | training time | device |
|---|---|---|---|---|---|---|
${trainingRows.join('\n')}

Trained on this project's development machine: 2 CPU cores, no GPU, the two first networks side by
side with one thread each. These are small CPU models trained briefly; a GPU run of
\`npm run models:train-defaults\` with more steps would do better.

## Held-out metrics
${HELD_OUT_SET.perFamily * HELD_OUT_SET.families.length} held-out pairs (${HELD_OUT_SET.perFamily} per family, seed ${HELD_OUT_SET.seed}); velocity MAE and RMSE on OpenFWI's
[−1, 1] scale, SSIM on [0, 1] (11 × 11 Gaussian window, σ = 1.5), as the field reports them.

| network | MAE | RMSE | SSIM |
|---|---|---|---|
${row('InversionNet', metrics.heldOut.inversionnet)}
${row('Stage 1 (seismic → latent → velocity)', metrics.heldOut.stage1_inversion)}

- Seismic relative L2 of stage-1 reconstructions (physical units): ${fmt(metrics.heldOut.seismic_relative_l2)}
- PDE deviation of held-out reconstructions, ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂: ${fmt(metrics.heldOut.reconstruction_pde_rel_l2)}

Per family:

| family | InversionNet MAE | Stage 1 MAE | reconstruction PDE deviation |
|---|---|---|---|
${Object.entries(metrics.heldOut.perFamily).map(([f, m]) => `| ${f} | ${fmt(m.inversionnet.velocity_mae)} | ${fmt(m.stage1_inversion.velocity_mae)} | ${fmt(m.reconstruction_pde_rel_l2)} |`).join('\n')}

## Real OpenFWI velocity models (never seen in training)
The first ${REAL_OPENFWI_SET.perFamily} models of \`vmodel11.npy\` of each family in \`shared/testdata/openfwi\`, modelled with
OpenFWI's geometry by the studio's solver (which matches OpenFWI's forward modelling to a relative L2
of about 1e-5), then inverted.

| family | InversionNet MAE | RMSE | SSIM | Stage 1 MAE | RMSE | SSIM |
|---|---|---|---|---|---|---|
${Object.entries(metrics.realOpenfwi).map(([f, m]) => `| ${f} | ${fmt(m.inversionnet.velocity_mae)} | ${fmt(m.inversionnet.velocity_rmse)} | ${fmt(m.inversionnet.velocity_ssim)} | ${fmt(m.stage1_inversion.velocity_mae)} | ${fmt(m.stage1_inversion.velocity_rmse)} | ${fmt(m.stage1_inversion.velocity_ssim)} |`).join('\n')}

## Generation: PDE deviation (\`wavediff probe --model default --count ${probeCount} --json\`)
Mean ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂ over ${probeCount} samples:

| pairs | mean PDE deviation |
|---|---|
| decoded from random latents, no denoising | ${fmt(generation.random_mean_pde_rel_l2)} |
| denoised (AB3, 20 steps) | ${fmt(generation.denoised_mean_pde_rel_l2)} |
| reconstructions of held-out pairs | ${fmt(generation.reconstruction_mean_pde_rel_l2)} |

Random over denoised: **${generation.random_over_denoised.toFixed(2)}×** (the method claims denoising lowers it; the goal is ≥ 3×).

Along the sampler (decoded x̂₀ at each checked step): ${generation.curve.map((c) => `step ${c.step} (t=${c.t}): ${fmt(c.mean_pde_rel_l2)}`).join('; ')}.

## Remaking
\`\`\`
npm run models:train-defaults   # synthesis + training of the three networks (CUDA when available)
npm run models:card             # this card and native-models/default/card.json
\`\`\`
\`main/core/ml/defaultModels.test.ts\` checks that the shipped models reproduce the held-out and real
OpenFWI figures above.
`;
  fs.writeFileSync(path.join(path.dirname(shippedModelsDir()), 'MODEL_CARD.md'), card);
  console.log(card);
} finally {
  await onnx.close();
  await fd.close();
}
