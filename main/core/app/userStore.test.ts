import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserStore } from './userStore.ts';

describe('user settings: the velocity display range', () => {
  it("defaults to OpenFWI's 1500–4500 m/s, keeps a user's range, refuses an empty one, and fills it into older settings files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-user-'));
    const store = new UserStore(dir);
    expect(store.settings().velocityDisplayRangeMps).toEqual({ min: 1500, max: 4500 });
    expect(store.updateSettings({ velocityDisplayRangeMps: { min: 1400, max: 5000 } }).velocityDisplayRangeMps).toEqual({ min: 1400, max: 5000 });
    expect(new UserStore(dir).settings().velocityDisplayRangeMps).toEqual({ min: 1400, max: 5000 });
    expect(() => store.updateSettings({ velocityDisplayRangeMps: { min: 3000, max: 3000 } })).toThrow(/upper velocity must exceed/);
    // A settings file written before the range existed.
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ pythonPath: null, workerThreads: 3, maxConcurrentJobs: 2 }));
    expect(new UserStore(dir).settings()).toMatchObject({ workerThreads: 3, velocityDisplayRangeMps: { min: 1500, max: 4500 } });
  });
});

describe('user settings: the Slurm cluster', () => {
  it('defaults to the contract, fills settings the stored file lacks, and refuses a time limit sbatch would not read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-user-'));
    const store = new UserStore(dir);
    expect(store.settings().cluster).toMatchObject({ partition: '', timeLimit: '04:00:00', cpusPerTask: 4, memory: '8G', gpus: 1, studioCommand: 'wavediff', commandPrefix: '' });
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ workerThreads: 3, cluster: { partition: 'gpu', commandPrefix: 'ssh me@login' } }));
    expect(new UserStore(dir).settings().cluster).toMatchObject({ partition: 'gpu', commandPrefix: 'ssh me@login', timeLimit: '04:00:00', pollSeconds: 10 });
    expect(() => store.updateSettings({ cluster: { ...store.settings().cluster, timeLimit: '4 hours' } })).toThrow(/Slurm time/);
  });
});
