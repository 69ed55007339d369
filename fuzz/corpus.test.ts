/**
 * Replays the regression corpus (fuzz/corpus/<target>/, every input that ever broke the property) through
 * the same targets and property check the fuzzer uses, in this process: each input ends in a result or a
 * clear StudioError, and allocates no more than its bound. Hangs are the fuzzer's to measure; here a
 * generous per-test timeout is only a guard.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TARGETS, TARGET_NAMES, type RunContext } from './targets/index.ts';
import { allocationBound, judgeFileError, startAllocationProbe, summarise } from './property.ts';
import { startServerHarness, type ServerHarness } from './serverHarness.ts';
import { Rng, mutate } from './mutate.ts';
import { StudioError } from '../main/core/contract/errors.ts';

const CORPUS = path.join(path.dirname(new URL(import.meta.url).pathname), 'corpus');
const GUARD_MS = 60_000;

let scratch: string;
let harness: Promise<ServerHarness> | null = null;
let context: RunContext;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-fuzz-corpus-'));
  context = { workDir: scratch, server: () => (harness ??= startServerHarness(path.join(scratch, 'server'))) };
});

afterAll(async () => {
  if (harness) await (await harness).close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

for (const name of TARGET_NAMES) {
  const target = TARGETS[name];
  const dir = path.join(CORPUS, name);
  const inputs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(`.${target.ext}`)).sort() : [];
  describe.runIf(inputs.length > 0)(`corpus ${name}`, () => {
    for (const input of inputs) {
      const note = fs.existsSync(path.join(dir, input.replace(/\.[^.]+$/, '.json'))) ? JSON.parse(fs.readFileSync(path.join(dir, input.replace(/\.[^.]+$/, '.json')), 'utf8')).note : '';
      it(`${input}${note ? ` (${String(note).slice(0, 100)})` : ''}`, async () => {
        const inputPath = path.join(scratch, `input.${target.ext}`);
        fs.copyFileSync(path.join(dir, input), inputPath);
        const probe = startAllocationProbe();
        const violations = await target.run(inputPath, context);
        const allocation = probe.finish();
        expect(violations).toEqual([]);
        expect(allocation.bytes, allocation.how).toBeLessThanOrEqual(allocationBound(fs.statSync(inputPath).size, target.allocationFactor));
      }, GUARD_MS);
    }
  });
}

describe('the property check itself', () => {
  it('has a corpus to replay (vitest.config.ts includes fuzz/**/*.test.ts)', () => {
    expect(TARGET_NAMES.filter((name) => fs.existsSync(path.join(CORPUS, name)) && fs.readdirSync(path.join(CORPUS, name)).length > 0).length).toBeGreaterThan(0);
  });

  const rules = { file: '/data/a.npy', fileBytes: 100, allowedCodes: ['bad_file', 'unsupported'] as const };

  it('calls a TypeError, a StudioError "internal" and an unknown code crashes', () => {
    expect(judgeFileError('read', summarise(new TypeError("Cannot read properties of undefined (reading 'x')")), rules)?.kind).toBe('crash');
    expect(judgeFileError('read', summarise(new StudioError('internal', '/data/a.npy: oops')), rules)?.kind).toBe('crash');
    const unknown = summarise(new StudioError('bad_file', '/data/a.npy: bad at byte 3', { byteOffset: 3 }));
    expect(judgeFileError('read', { ...unknown, code: 'ERR_OUT_OF_RANGE' }, rules)?.kind).toBe('crash');
  });

  it('calls a parse error without the file, without a byte offset, or with one outside the file unclear', () => {
    expect(judgeFileError('read', summarise(new StudioError('bad_file', 'bad header at byte 3', { byteOffset: 3 })), rules)?.kind).toBe('unclear');
    expect(judgeFileError('read', summarise(new StudioError('bad_file', '/data/a.npy: bad header')), rules)?.kind).toBe('unclear');
    expect(judgeFileError('read', summarise(new StudioError('bad_file', '/data/a.npy: bad at byte 300', { byteOffset: 300 })), rules)?.kind).toBe('unclear');
    expect(judgeFileError('read', summarise(new StudioError('bad_file', '/data/a.npy: bad header at byte 3', { byteOffset: 3 })), rules)).toBeNull();
  });

  it('mutations are reproducible from the seed text', () => {
    const seed = Buffer.from('{"type":"call","id":1,"method":"project.current","args":{}}');
    const grammar = { fields: () => [{ offset: 20, size: 1, kind: 'text' as const, name: 'id' }], tokens: ['{', '"'], headerBytes: () => 16 };
    const a = mutate(seed, [], grammar, new Rng('7:ws:42'), 4096);
    const b = mutate(seed, [], grammar, new Rng('7:ws:42'), 4096);
    const c = mutate(seed, [], grammar, new Rng('7:ws:43'), 4096);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.mutations).toEqual(b.mutations);
    expect(a.bytes.equals(c.bytes) && a.mutations.join() === c.mutations.join()).toBe(false);
  });
});
