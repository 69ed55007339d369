// Studies benchmark (`npm run bench:studies`): the wall time of each study at its default size on
// this machine, run as a job of a scratch project with the shipped default models.
//
// A default-size run takes long on 2 cores, so by default each study runs at two small sizes and its
// default-size time is extrapolated from a linear cost model (stated in the output):
//   latent-sampling: time = a + b · (pairs forward-modelled), pairs = max(statsCount, 2·count)
//                    + count·(1 + 5 + 1 + curvePoints + 1) + count;
//   refined-inversion: time = a + b · (candidate decodes), decodes = count·(K·M + M + 1);
//   fidelity: time = a + b · count (each pair synthesised, sampled, decoded and encoded; the bootstrap
//             and the embedding are in a); compression: time = a + b · samples (default 8 held-out).
// Each kind runs once untimed first (models loaded, workers started). BENCH_FULL=1 runs every study at its default size instead. BENCH_CORES sets the worker threads (default all).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Studio } from '../main/core/app/studio.ts';
import { studioJobKinds } from '../main/core/app/jobKinds.ts';
import { dispatch } from '../main/core/api/handlers.ts';
import { defaultOf, studyParameters, type StudyKindName } from '../main/core/contract/parameters.ts';
import type { JobInfo } from '../main/core/contract/contract.ts';

const cores = Number(process.env.BENCH_CORES ?? os.availableParallelism());
const full = process.env.BENCH_FULL === '1';

function defaults(kind: StudyKindName): Record<string, number> {
  return Object.fromEntries(
    Object.entries(studyParameters[kind].shape)
      .map(([name, schema]) => [name, defaultOf(schema as never)])
      .filter(([, v]) => typeof v === 'number'),
  ) as Record<string, number>;
}

/** augmentation-value is left out: it needs a project's real and generated datasets, and its time is the trainer's (steps × batch). */
const costModels: Partial<Record<StudyKindName, { unit: string; cost: (p: Record<string, number>) => number; small: Record<string, number>[] }>> = {
  'latent-sampling': {
    unit: 'pairs forward-modelled',
    cost: (p) => Math.max(p.statsCount, 2 * p.count) + p.count * (1 + 5 + 1 + Math.min(p.curvePoints, 20) + 1) + p.count,
    small: [
      { count: 1, statsCount: 2 },
      { count: 3, statsCount: 6 },
    ],
  },
  'refined-inversion': {
    unit: 'candidate decodes',
    cost: (p) => p.count * (p.refineSteps * p.candidates + p.candidates + 1),
    small: [
      { count: 1, refineSteps: 2, candidates: 5 },
      { count: 1, refineSteps: 4, candidates: 20 },
    ],
  },
  fidelity: {
    unit: 'pairs per set (synthesised, sampled, decoded, encoded)',
    cost: (p) => p.count,
    small: [{ count: 2 }, { count: 4 }],
  },
  compression: {
    unit: 'held-out samples compressed (9 methods each)',
    cost: (p) => p.count ?? 8,
    small: [{ count: 1 }, { count: 2 }],
  },
};

async function timeStudy(studio: Studio, kind: StudyKindName, params: Record<string, number>): Promise<number> {
  const started = performance.now();
  const job = (await dispatch(studio, 'study.start', { kind, params })) as JobInfo;
  const done = await studio.jobs.waitFor(job.id);
  if (done.status !== 'done') throw new Error(`${kind} ${JSON.stringify(params)}: ${done.status}: ${done.error}`);
  return (performance.now() - started) / 1000;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-bench-studies-'));
const studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'cli', jobKinds: studioJobKinds(), workerThreads: cores });
try {
  await studio.createProject(path.join(dir, 'project'), 'bench studies', { remember: false });
  console.log(`studies at their default size, ${cores} worker threads, default models, ${os.cpus()[0]?.model ?? 'CPU'}:`);
  for (const kind of Object.keys(costModels) as StudyKindName[]) {
    const model = costModels[kind]!;
    const base = defaults(kind);
    const size = model.cost(base);
    if (full) {
      const seconds = await timeStudy(studio, kind, {});
      console.log(`${kind.padEnd(18)} ${seconds.toFixed(1)} s measured at the default size (${size} ${model.unit})`);
      continue;
    }
    // A first run loads the models and starts the workers; it is not timed.
    await timeStudy(studio, kind, model.small[0]);
    const points = [];
    for (const small of model.small) {
      const params = { ...base, ...small };
      points.push({ x: model.cost(params), seconds: await timeStudy(studio, kind, small) });
    }
    const [p, q] = points;
    const slope = (q.seconds - p.seconds) / (q.x - p.x);
    const intercept = p.seconds - slope * p.x;
    const estimate = intercept + slope * size;
    console.log(
      `${kind.padEnd(18)} ≈ ${estimate.toFixed(0)} s at the default size (${size} ${model.unit}; extrapolated from ${points.map((pt) => `${pt.seconds.toFixed(1)} s at ${pt.x}`).join(' and ')}: ${(slope * 1000).toFixed(1)} ms per unit + ${intercept.toFixed(1)} s)`,
    );
  }
} finally {
  await studio.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
}
