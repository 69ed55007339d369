import { describe, expect, it } from 'vitest';
import { parseShard, shardSamples } from './chunkedSet.ts';

describe('shardSamples', () => {
  it('splits the files of a run into N contiguous blocks that hold every sample exactly once', () => {
    for (const count of [1, 2, 7, 10, 500, 1001]) {
      for (const perFile of [1, 3, 4, 500]) {
        const files = Math.ceil(count / perFile);
        for (const n of [1, 2, 3, 7, 40]) {
          const shards = Array.from({ length: n }, (_, index) => shardSamples(count, perFile, { index, count: n }));
          expect(shards[0].start).toBe(0);
          expect(shards[0].firstFile).toBe(1);
          expect(shards.at(-1)!.end).toBe(count);
          expect(shards.at(-1)!.endFile).toBe(files + 1);
          for (let i = 1; i < n; i += 1) {
            expect(shards[i].start).toBe(shards[i - 1].end);
            expect(shards[i].firstFile).toBe(shards[i - 1].endFile);
          }
          for (const s of shards) {
            // Whole files: a shard starts on a file boundary and holds the samples of its files.
            expect(s.start).toBe(Math.min((s.firstFile - 1) * perFile, count));
            expect(s.end).toBe(Math.min((s.endFile - 1) * perFile, count));
            // Sizes differ by at most one file.
            expect(Math.abs(s.endFile - s.firstFile - files / n)).toBeLessThan(1);
          }
        }
      }
    }
  });

  it('is the example the docs give: shard 1/3 of 10 samples at 4 a file is file 2, samples 4–7', () => {
    expect(shardSamples(10, 4, { index: 1, count: 3 })).toEqual({ firstFile: 2, endFile: 3, start: 4, end: 8 });
    expect(shardSamples(10, 4, { index: 0, count: 1 })).toEqual({ firstFile: 1, endFile: 4, start: 0, end: 10 });
  });

  it('reads I/N and refuses anything else with the option named', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    for (const bad of ['5/5', '1', '-1/3', 'a/b', '1/0', '1/3/4']) expect(() => parseShard(bad)).toThrow(/--shard .*: write I\/N/);
  });
});
