// Generation benchmark (`npm run bench:generate`): end-to-end samples/s on this machine with the time
// split between denoiser, decoders, FD check and InversionNet; the same denoising loop in PyTorch
// (CPU, /usr/bin/python3) for comparison; and per sampler, network evaluations against mean PDE
// deviation and against the distance to the full DDPM chain's samples from the same seeds.
//
// Models: the shipped defaults (native-models/default/) when installed; otherwise small models
// trained for 2 steps (cached in .bench/generate-models/) — their speed figures are real, their
// deviations are not those of a trained model. Environment: BENCH_SAMPLES (end to end, default 8),
// BENCH_BATCH (4), BENCH_TABLE_SAMPLES (per sampler, 4), BENCH_CORES (all), WAVEDIFF_PYTHON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { OnnxSessionPool } from '../main/core/ml/onnxPool.ts';
import { FdWorkerPool } from '../main/core/physics/pool.ts';
import { openfwiGeometry } from '../main/core/physics/acquisition.ts';
import { shippedModelsDir } from '../main/core/ml/modelRegistry.ts';
import { nativeModelsDir } from '../main/core/training/trainerProcess.ts';
import { appRoot } from '../main/core/util/paths.ts';
import { samplingGrid } from '../main/core/ml/samplers.ts';
import {
  decodeLatents,
  emptyStageTimes,
  generateBatch,
  loadGenerationModels,
  physicsCheck,
  sampleLatents,
  samplerSpecOf,
  type GenerationSampler,
  type ModelRefs,
} from '../main/core/generation/pipeline.ts';
import { trainSmallModels } from '../main/core/generation/testing/smallModels.ts';

const python = process.env.WAVEDIFF_PYTHON ?? '/usr/bin/python3';
const cores = Number(process.env.BENCH_CORES ?? os.availableParallelism());
const samples = Number(process.env.BENCH_SAMPLES ?? 8);
const batch = Number(process.env.BENCH_BATCH ?? 4);
const tableSamples = Number(process.env.BENCH_TABLE_SAMPLES ?? 4);

let refs: ModelRefs;
let torchWeights: string | null;
let modelNote: string;
if (fs.existsSync(path.join(shippedModelsDir(), 'stage2', 'manifest.json'))) {
  refs = { stage1: 'default', stage2: 'default', inversionnet: 'default' };
  const candidates = [path.join(shippedModelsDir(), 'stage2', 'weights.pt'), path.join(appRoot(), '.bench', 'default-models', 'stage2', 'model', 'weights.pt')];
  torchWeights = candidates.find((f) => fs.existsSync(f)) ?? null;
  modelNote = 'shipped default models (native-models/default/)';
} else {
  const small = await trainSmallModels(python, path.join(appRoot(), '.bench', 'generate-models'));
  refs = { stage1: small.stage1, stage2: small.stage2, inversionnet: small.inversionnet };
  torchWeights = path.join(small.stage2, 'weights.pt');
  modelNote = 'small models trained for 2 steps (native-models/default/ is not installed): speed figures only';
}
console.log(`models: ${modelNote}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'cpu'}, ${cores} cores used of ${os.availableParallelism()}`);

const onnx = new OnnxSessionPool({ cores });
const fd = new FdWorkerPool({ size: cores });
const models = await loadGenerationModels(onnx, refs, null);
const geometry = openfwiGeometry();
const seedsFor = (n: number, first = 1000): number[] => Array.from({ length: n }, (_, i) => first + i);

// ---- end to end ----
const endToEnd: GenerationSampler = { kind: 'ab3', steps: 20 };
await generateBatch(models, { sampler: endToEnd, seeds: seedsFor(1, 1), fdPool: fd, geometry }); // warm-up: sessions, kernels
const times = emptyStageTimes();
let provider = 'cpu';
const started = performance.now();
for (let first = 0; first < samples; first += batch) {
  const seeds = seedsFor(Math.min(batch, samples - first), 1000 + first);
  await generateBatch(models, { sampler: endToEnd, seeds, fdPool: fd, geometry }, { times, observer: { onRun: (r) => (provider = r.provider) } });
}
const totalMs = performance.now() - started;
const share = (ms: number): string => `${(ms / 1000).toFixed(2)} s (${((100 * ms) / totalMs).toFixed(1)} %)`;
console.log(`end to end: ${((1000 * samples) / totalMs).toFixed(3)} samples/s (${samples} samples, batch ${batch}, AB3 20 steps, physics check on, provider ${provider})`);
console.log(`time split: denoiser ${share(times.denoiser)}, decoders ${share(times.decoders)}, FD check ${share(times.fd)}, InversionNet ${share(times.inversion)}`);

// ---- the denoising loop: onnxruntime-node (TypeScript sampler) against PyTorch ----
const loopSteps = 20;
const loopRuns = 3;
let onnxBest = Infinity;
for (let r = 0; r < loopRuns; r += 1) {
  const t0 = performance.now();
  await sampleLatents(models, { kind: 'ddim', steps: loopSteps, eta: 0 }, seedsFor(batch, 50 + r));
  onnxBest = Math.min(onnxBest, performance.now() - t0);
}
console.log(`denoising loop, onnxruntime-node ${provider}: DDIM ${loopSteps} steps × batch ${batch}: ${(onnxBest / 1000).toFixed(3)} s, ${((1000 * batch) / onnxBest).toFixed(2)} samples/s (${(onnxBest / loopSteps).toFixed(1)} ms per evaluation)`);
if (torchWeights && fs.existsSync(torchWeights)) {
  const grid = samplingGrid(models.stage2.schedule, samplerSpecOf({ kind: 'ddim', steps: loopSteps, eta: 0 }));
  const script = `
import json, sys, time, torch
from wavediff_models import bundle as bundle_io
from wavediff_models.export import graph_specs
from wavediff_models.tasks import make_task
weights, threads, batch, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
grid = json.loads(sys.argv[5]); alpha_bar = json.loads(sys.argv[6])
torch.set_num_threads(threads)
b = bundle_io.load(weights)
task = make_task(b['config'], torch.device('cpu')); task.load_state_dict(b['model_state']); task.train(False)
denoiser, _, ins, _ = graph_specs(task)['denoiser']
shape = [batch] + list(ins[0][1])
best = float('inf')
with torch.no_grad():
    for r in range(runs):
        x = torch.randn(shape, generator=torch.Generator().manual_seed(r))
        t0 = time.perf_counter()
        # DDIM eta = 0 over the same grid as the TypeScript sampler, then clean.
        for i, t in enumerate(grid):
            a = alpha_bar[t]
            eps = denoiser(x, torch.full([batch], float(t)))
            x0 = (x - (1 - a) ** 0.5 * eps) / a ** 0.5
            a_next = alpha_bar[grid[i + 1]] if i + 1 < len(grid) else 1.0
            x = a_next ** 0.5 * x0 + (1 - a_next) ** 0.5 * eps
        best = min(best, time.perf_counter() - t0)
print(json.dumps({"seconds": best, "torch": torch.__version__, "threads": threads}))
`;
  const alphaBar = Array.from(models.stage2.schedule.alphasCumprod);
  const result = spawnSync(python, ['-c', script, torchWeights, String(cores), String(batch), String(loopRuns), JSON.stringify(grid), JSON.stringify(alphaBar)], {
    cwd: nativeModelsDir(),
    env: { ...process.env, PYTHONPATH: nativeModelsDir() },
    encoding: 'utf8',
  });
  if (result.status === 0) {
    const torchResult = JSON.parse(result.stdout.trim().split('\n').pop()!) as { seconds: number; torch: string; threads: number };
    const ms = torchResult.seconds * 1000;
    console.log(`denoising loop, PyTorch ${torchResult.torch} CPU (${torchResult.threads} threads): DDIM ${loopSteps} steps × batch ${batch}: ${(ms / 1000).toFixed(3)} s, ${((1000 * batch) / ms).toFixed(2)} samples/s (${(ms / loopSteps).toFixed(1)} ms per evaluation); onnxruntime-node is ${(ms / onnxBest).toFixed(2)}× as fast`);
  } else {
    console.log(`denoising loop, PyTorch: failed (${result.stderr.trim().split('\n').slice(-2).join(' | ')})`);
  }
} else {
  console.log('denoising loop, PyTorch: skipped (no stage-2 weights.pt beside the ONNX model)');
}

// ---- samplers: evaluations against PDE deviation and distance to the DDPM chain ----
const tableSeeds = seedsFor(tableSamples, 7000);
const latentSize = models.stage2.latentShape.reduce((a, b) => a * b, 1);
async function runSampler(sampler: GenerationSampler): Promise<{ x0: Float32Array; velocity: Float32Array; pde: number; evaluations: number; seconds: number }> {
  const t0 = performance.now();
  const { x0, modelEvaluations } = await sampleLatents(models, sampler, tableSeeds);
  const seconds = (performance.now() - t0) / 1000;
  const pairs = await decodeLatents(models, x0, tableSeeds.length);
  const { deviations } = await physicsCheck(fd, pairs, models.stage1.velocityShape, geometry);
  return { x0, velocity: pairs.velocityMps, pde: deviations.reduce((s, d) => s + d.pde_rel_l2, 0) / deviations.length, evaluations: modelEvaluations, seconds };
}
const ddpm = await runSampler({ kind: 'ddpm' });
const configs: GenerationSampler[] = [
  { kind: 'ddim', steps: 10, eta: 0 },
  { kind: 'ddim', steps: 20, eta: 0 },
  { kind: 'ddim', steps: 50, eta: 0 },
  { kind: 'ddim', steps: 100, eta: 0 },
  { kind: 'ab3', steps: 5 },
  { kind: 'ab3', steps: 10 },
  { kind: 'ab3', steps: 20 },
  { kind: 'ab3', steps: 50 },
];
const label = (s: GenerationSampler): string => (s.kind === 'ddpm' ? 'DDPM (full chain)' : s.kind === 'ddim' ? `DDIM η=0, ${s.steps}` : `AB3, ${s.steps}`);
console.log('');
console.log(`samplers (${tableSamples} samples, seeds ${tableSeeds[0]}…${tableSeeds[tableSeeds.length - 1]}; distance = RMS over the denoiser's latent x₀ and MAE of the decoded velocity, against the DDPM chain from the same seeds):`);
console.log('| sampler | network evaluations | sampling s | mean pde_rel_l2 | latent RMS to DDPM | velocity MAE to DDPM (m/s) |');
console.log('|---|---|---|---|---|---|');
const row = (s: GenerationSampler, r: Awaited<ReturnType<typeof runSampler>>): void => {
  let sq = 0;
  for (let i = 0; i < r.x0.length; i += 1) sq += (r.x0[i] - ddpm.x0[i]) ** 2;
  let mae = 0;
  for (let i = 0; i < r.velocity.length; i += 1) mae += Math.abs(r.velocity[i] - ddpm.velocity[i]);
  console.log(`| ${label(s)} | ${r.evaluations} | ${r.seconds.toFixed(2)} | ${r.pde.toPrecision(4)} | ${Math.sqrt(sq / (tableSeeds.length * latentSize)).toPrecision(3)} | ${(mae / r.velocity.length).toFixed(1)} |`);
};
row({ kind: 'ddpm' }, ddpm);
for (const sampler of configs) row(sampler, await runSampler(sampler));

await onnx.close();
await fd.close();
