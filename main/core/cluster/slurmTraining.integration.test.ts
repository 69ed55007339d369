/**
 * Training on Slurm from the Train dialog's request (train.start with `cluster`), against a real
 * Slurm (bash scripts/slurm-local.sh start) and the real trainer: the job runs the trainer (on the
 * CPU: Settings → Cluster → GPUs 0), its JSON-lines progress in OUT/progress.jsonl becomes the
 * job's training events while it runs — what the Models view draws its curves from (train.events) —
 * and the exported model is registered in the project as a local run's is.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Studio } from '../app/studio.ts';
import { studioJobKinds } from '../app/jobKinds.ts';
import { dispatch } from '../api/handlers.ts';
import { missing } from '../util/testing/requirement.ts';
import { findPython } from '../training/python.ts';
import { nativeModelsDir } from '../training/trainerProcess.ts';
import type { JobInfo } from '../contract/contract.ts';
import type { ClusterJobParams, ClusterJobResult } from './clusterJob.ts';

const slurmAnswers = spawnSync('scontrol', ['ping'], { encoding: 'utf8' }).stdout?.includes('UP') ?? false;
const probe = await findPython('/usr/bin/python3', { timeoutMs: 60_000 });
const skip = missing('a running Slurm (bash scripts/slurm-local.sh start)', slurmAnswers) || missing('torch under /usr/bin/python3', probe.found !== null);

let dir: string;
let studio: Studio;
const call = (method: string, args: unknown): Promise<any> => dispatch(studio, method, args);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-slurm-train-'));
  studio = new Studio({ dataDir: path.join(dir, 'user'), shell: 'browser', jobKinds: studioJobKinds() });
});

afterAll(async () => {
  await studio.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(100);
  }
}

describe.skipIf(skip)('training on Slurm', () => {
  it("streams the trainer's progress.jsonl into the job's curves while it runs, and registers the model", async () => {
    await studio.createProject(path.join(dir, 'project'), 'slurm training', { remember: false });
    const synth = (await call('physics.synthesize', { family: 'flatvel-a', count: 4, seed: 5 })) as JobInfo;
    expect((await studio.jobs.waitFor(synth.id)).status).toBe('done');
    const datasetId = (await call('dataset.list', {}))[0].id as number;
    // No GPU on this machine: the job trains on the CPU (--device cpu) with its one core as threads.
    studio.user.updateSettings({
      cluster: {
        ...studio.user.settings().cluster,
        trainerCommand: `env PYTHONPATH=${nativeModelsDir()} /usr/bin/python3 -m wavediff_models.train`,
        gpus: 0,
        cpusPerTask: 1,
        memory: '2G',
        timeLimit: '15:00',
        pollSeconds: 0.3,
      },
    });
    const out = path.join(dir, 'cluster-train');
    const job = (await call('train.start', {
      network: 'inversionnet',
      datasetId,
      steps: 6,
      batchSize: 2,
      name: 'inversion on slurm',
      extraArgs: ['--log-every', '1', '--preview-every', '6', '--checkpoint-every', '6', '--max-val-samples', '1', '--val-fraction', '0.25'],
      cluster: { out },
    })) as JobInfo;
    // The same job as `wavediff cluster submit train inversionnet … --slurm`, listed with the training runs.
    expect(job).toMatchObject({ kind: 'cluster.run', trainsModel: true });
    expect(job.title).toBe(`Slurm: train “inversion on slurm”: inversionnet on the CPU → ${out}`);
    const params = studio.requireProject().catalogue.getJob(job.id).params as ClusterJobParams;
    expect(params).toMatchObject({ work: 'train', shards: 1, out });
    expect(params.args.slice(0, 3)).toEqual(['inversionnet', '--data', path.join(studio.requireProject().folder, 'arrays', studio.requireProject().catalogue.getReadyDataset(datasetId).folder)]);
    expect(params.args.slice(-2)).toEqual(['--threads', '1']);

    // Live: a curve point arrives through train.events while the Slurm job still runs.
    const live = await until(
      'a progress event while the job runs',
      async () => {
        const info = studio.jobs.get(job.id);
        if (!['queued', 'running'].includes(info.status)) throw new Error(`The job ended (${info.status}: ${info.error}) before a curve point was seen.`);
        const events = (await call('train.events', { jobId: job.id })) as { type: string }[];
        return events.some((e) => e.type === 'progress') && { events, info };
      },
      300_000,
    );
    expect(live.info.progress.unit).toBe('steps');

    const done = await studio.jobs.waitFor(job.id);
    const log = studio.requireProject().catalogue.jobEvents(job.id, 0).map((e) => e.message);
    expect(done.status, `${done.error}\n${log.join('\n')}`).toBe('done');
    expect(done.progress).toMatchObject({ done: 6, total: 6, unit: 'steps' });

    // The curves are exactly what the trainer wrote, each line once, in order.
    const written = fs.readFileSync(path.join(out, 'progress.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; step?: number });
    const events = (await call('train.events', { jobId: job.id })) as { type: string; step: number; payload: unknown }[];
    expect(events.map((e) => e.payload)).toEqual(written);
    expect(events.map((e) => e.type)).toEqual(written.map((m) => m.type));
    expect(written[0]).toMatchObject({ type: 'start', device: 'cpu', total_steps: 6 });
    expect(events.filter((e) => e.type === 'progress').map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.at(-1)?.type).toBe('done');

    // Previews are read from the cluster's run folder (this machine sees it), on the dataset's axes.
    const preview = events.find((e) => e.type === 'preview')!.payload as { files: Record<string, string> };
    expect((await call('train.preview', { jobId: job.id, file: preview.files.velocity_prediction })).shape).toEqual([70, 70]);
    await expect(call('train.preview', { jobId: job.id, file: '/etc/passwd' })).rejects.toThrow(/run folder/);
    expect(await call('train.sampling', { jobId: job.id })).toMatchObject({ datasetId });

    // The model is registered in the project as a local run's.
    const result = done.result as ClusterJobResult;
    expect(result.slurmJobIds).toHaveLength(1);
    const trained = ((await call('model.list', {})) as { ref: string }[]).find((m) => m.ref === result.modelRef);
    expect(trained).toMatchObject({ kind: 'inversionnet', source: 'project', name: 'inversion on slurm' });
    expect(fs.existsSync(path.join(studio.requireProject().folder, 'models', `inversionnet-job${job.id}`, 'inversionnet.onnx'))).toBe(true);
    expect(log.some((m) => m.startsWith(`Model registered as ${result.modelRef}`))).toBe(true);
  }, 600_000);
});
