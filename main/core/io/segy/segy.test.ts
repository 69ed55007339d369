import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../../util/testing/requirement.ts';
import { StudioError } from '../../contract/errors.ts';
import { appRoot, sharedDir } from '../../util/paths.ts';
import { TRACE_FIELDS, traceGeometry, type TraceHeader } from './fields.ts';
import { segyInfo, type SegyInfo } from './info.ts';
import { gatherToTimeReceivers, listGathers, pickEvenly, readShotGathers, resampleShotGather, type ShotGather } from './gathers.ts';
import { openSegyLayout, readTraceChunks, readTraceChunksSync } from './reader.ts';
import { SAMPLE_FORMATS, decodeSamples, ieeeToIbmWord, type SampleFormatCode } from './sampleFormats.ts';
import { SegyWriter, writeSegy, type TraceHeaderValues } from './writer.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const segyDir = path.join(sharedDir(), 'testdata', 'segy');
const expectedDoc = JSON.parse(fs.readFileSync(path.join(segyDir, 'expected.json'), 'utf8')) as {
  tolerance: { rtol_values: number };
  cases: Array<{
    file: string;
    expect: 'ok' | 'reject';
    acceptable?: string[];
    reason_keywords?: string[];
    expected: Record<string, unknown> & {
      sum_abs?: number;
      sum_sq?: number;
      gathers?: { key: string; count: number; values: number[]; sizes: number[]; first_trace_index: number[] };
    };
  }>;
};
const rtol = expectedDoc.tolerance.rtol_values;

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'segy-test-'));
});
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function closeTo(got: number, want: number, tolerance: number, label: string): void {
  if (!(Math.abs(got - want) <= tolerance)) {
    throw new Error(`${label}: got ${got}, want ${want} (tolerance ${tolerance})`);
  }
}

function checkAgainstExpected(info: SegyInfo, expected: Record<string, unknown>, file: string): void {
  for (const [key, want] of Object.entries(expected)) {
    const got = (info as unknown as Record<string, unknown>)[key];
    const label = `${file} ${key}`;
    if (key === 'first_trace_headers' || key === 'last_trace_headers') {
      const headers = got as TraceHeader;
      for (const [field, value] of Object.entries(want as Record<string, number>)) {
        expect(headers[field as keyof TraceHeader], `${label}.${field}`).toBe(value);
      }
    } else if (key === 'gathers') {
      expect(got, label).toEqual(want);
    } else if (key === 'sum') {
      closeTo(got as number, want as number, 1e-6 * (expected.sum_abs as number), label);
    } else if (typeof want === 'number') {
      closeTo(got as number, want, rtol * Math.abs(want), label);
    } else if (Array.isArray(want)) {
      const values = got as number[];
      expect(values.length, label).toBe(want.length);
      want.forEach((w: number, i) => closeTo(values[i], w, rtol * Math.abs(w), `${label}[${i}]`));
    } else {
      expect(got, label).toBe(want);
    }
  }
}

describe('shared SEG-Y files written by other tools (expected.json)', () => {
  for (const testCase of expectedDoc.cases) {
    const file = path.join(segyDir, testCase.file);
    if (testCase.expect === 'ok') {
      it(`reads ${testCase.file}`, async () => {
        const info = await segyInfo(file);
        checkAgainstExpected(info, testCase.expected, testCase.file);
        // All 91 standard fields, by segyio's names.
        expect(Object.keys(info.first_trace_headers)).toEqual(TRACE_FIELDS.map((f) => f.name));
        expect(Object.keys(info.last_trace_headers)).toHaveLength(91);
        // The streaming gather reader agrees with the expected grouping.
        const wantGathers = testCase.expected.gathers;
        if (wantGathers) {
          const sizes: number[] = [];
          const values: number[] = [];
          const firsts: number[] = [];
          for await (const gather of readShotGathers(file, { key: wantGathers.key })) {
            values.push(gather.keyValue);
            sizes.push(gather.receivers);
            firsts.push(gather.traceIndices[0]);
            expect(gather.traces.length).toBe(gather.receivers * gather.timeSamples);
          }
          expect({ values, sizes, first_trace_index: firsts }).toEqual({
            values: wantGathers.values,
            sizes: wantGathers.sizes,
            first_trace_index: wantGathers.first_trace_index,
          });
        }
      });
    } else {
      it(`rejects ${testCase.file} with a clear message`, async () => {
        const error = await segyInfo(file).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StudioError);
        const studioError = error as StudioError;
        expect(studioError.code).toBe('bad_file');
        expect(studioError.message).toContain(testCase.file);
        const message = studioError.message.toLowerCase();
        const keywords = testCase.reason_keywords ?? [];
        expect(
          keywords.some((k) => message.includes(k.toLowerCase())),
          `message "${studioError.message}" names none of ${JSON.stringify(keywords)}`,
        ).toBe(true);
      });
    }
  }

  it('decodes unnormalised IBM words as mantissa × 16^(exponent − 64)', () => {
    // 0x40 0x0F 0xFF 0xFF: exponent 64, mantissa 0x0FFFFF (leading hex digit 0).
    // 0xC1 0x01 0x00 0x00: -(0x010000 / 2^24) × 16 = -1/16.
    const words = [0x400fffff, 0xc1010000, 0x41100000, 0xc276a000, 0x00000000, 0x80000000];
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w, false));
    const out = new Float64Array(words.length);
    decodeSamples(bytes, 0, words.length, 1, false, out, 0);
    expect(Array.from(out)).toEqual([0x0fffff / 2 ** 24, -1 / 16, 1, -118.625, 0, -0]);
  });

  it('encodes IEEE values as normalised IBM words', () => {
    expect(ieeeToIbmWord(1).toString(16)).toBe('41100000');
    expect(ieeeToIbmWord(-118.625).toString(16)).toBe('c276a000');
    expect(ieeeToIbmWord(0.15625).toString(16)).toBe('40280000');
    expect(ieeeToIbmWord(0)).toBe(0);
  });
});

describe('segy-info on the command line', () => {
  const cli = path.join(appRoot(), 'bin', 'wavediff.mjs');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'segy-info', ...args], { encoding: 'utf8' });

  it('prints one JSON object matching expected.json', () => {
    for (const name of ['segyio__Format7lsb.sgy', 'obspy__00001034.sgy_first_trace']) {
      const result = run(path.join(segyDir, name), '--json');
      expect(result.status, result.stderr).toBe(0);
      const info = JSON.parse(result.stdout) as SegyInfo;
      checkAgainstExpected(info, expectedDoc.cases.find((c) => c.file === name)!.expected, name);
    }
  });

  it('prints {"error": …} and fails on a bad file', () => {
    const result = run(path.join(segyDir, 'segyio__text.sgy'), '--json');
    expect(result.status).not.toBe(0);
    const out = JSON.parse(result.stdout) as { error: string };
    expect(out.error).toMatch(/no traces/);
  });

  it('prints a readable summary without --json', () => {
    const result = run(path.join(segyDir, 'segyio__shot-gather.sgy'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('61 × 25 samples at 1000 µs');
    expect(result.stdout).toContain('4 runs of FieldRecord');
  });
});

/** A deterministic gather-like test signal: trace-major [traces, samples]. */
function testTraces(traces: number, samples: number, scale = 1): Float32Array {
  const out = new Float32Array(traces * samples);
  for (let t = 0; t < traces; t++) {
    for (let s = 0; s < samples; s++) out[t * samples + s] = scale * Math.sin(0.05 * s + 0.3 * t) * Math.exp(-s / (samples * 2)) + 0.01 * t;
  }
  return out;
}

function shotHeaders(traces: number, perShot: number): TraceHeaderValues[] {
  return Array.from({ length: traces }, (_, i) => ({
    FieldRecord: 100 + Math.floor(i / perShot),
    TraceNumber: (i % perShot) + 1,
    offset: -500 + 25 * (i % perShot),
    SourceGroupScalar: -100,
    SourceX: 123456 + 10 * Math.floor(i / perShot),
    GroupX: 123456 + 2500 * (i % perShot),
    ElevationScalar: 10,
    ReceiverGroupElevation: -7,
  }));
}

describe('writer round trips', () => {
  it('writes IEEE (format 5) and IBM (format 1) big-endian files that read back with the same values and headers', async () => {
    const ns = 300;
    const traces = 24;
    const samples = testTraces(traces, ns, 1000);
    const headers = shotHeaders(traces, 8);
    for (const format of [5, 1] as const) {
      for (const textEncoding of ['ebcdic', 'ascii'] as const) {
        const file = path.join(scratch, `roundtrip-${format}-${textEncoding}.sgy`);
        writeSegy(file, samples, { samplesPerTrace: ns, sampleIntervalUs: 2000, format, textEncoding, headers, textLines: ['WaveDiffusion Studio test'] });
        const info = await segyInfo(file);
        expect(info.format_code).toBe(format);
        expect(info.endianness).toBe('big');
        expect(info.text_encoding).toBe(textEncoding);
        expect(info.text_line1).toBe('C 1 WaveDiffusion Studio test');
        expect(info.n_traces).toBe(traces);
        expect(info.samples_per_trace).toBe(ns);
        expect(info.sample_interval_us).toBe(2000);
        expect(info.segy_revision).toEqual({ major: 2, minor: 0 });
        expect(info.byte_order_evidence).toContain('byte-order word');
        const back = new Float32Array(traces * ns);
        for (const chunk of readTraceChunksSync(file, { chunkBytes: 5000 })) back.set(chunk.samples, chunk.firstTrace * ns);
        for (let i = 0; i < back.length; i++) {
          // IBM keeps 21-24 mantissa bits; IEEE is exact.
          const tolerance = format === 1 ? Math.abs(samples[i]) * 2 ** -20 : 0;
          if (Math.abs(back[i] - samples[i]) > tolerance) throw new Error(`format ${format} sample ${i}: ${back[i]} vs ${samples[i]}`);
        }
        expect(info.last_trace_headers).toMatchObject({ ...headers[traces - 1], TRACE_SEQUENCE_LINE: traces, TRACE_SAMPLE_COUNT: ns });
        const geometry = traceGeometry(info.last_trace_headers);
        expect(info.last_trace_geometry).toEqual(geometry);
        expect(geometry.groupX).toBeCloseTo((123456 + 2500 * 7) / 100, 9);
        expect(geometry.receiverGroupElevation).toBe(-70);
      }
    }
  });

  it('round-trips every rev-2 sample format in both byte orders', async () => {
    const ns = 17;
    const values = new Float64Array(3 * ns);
    for (let i = 0; i < values.length; i++) values[i] = ((i * 37) % 200) - 60;
    for (const code of Object.keys(SAMPLE_FORMATS).map(Number) as SampleFormatCode[]) {
      for (const endianness of ['big', 'little'] as const) {
        const file = path.join(scratch, `format-${code}-${endianness}.sgy`);
        const unsigned = [10, 11, 12, 15, 16].includes(code);
        const input = values.map((v) => (unsigned ? v + 60 : code === 8 ? Math.max(-128, Math.min(127, v)) : v));
        writeSegy(file, input, { samplesPerTrace: ns, sampleIntervalUs: 500, format: code, endianness });
        const layout = openSegyLayout(file);
        expect(layout.format.code).toBe(code);
        expect(layout.endianness).toBe(endianness);
        const chunks = [];
        for await (const chunk of readTraceChunks(layout, { precision: 'float64' })) chunks.push(chunk);
        expect(Array.from(chunks[0].samples)).toEqual(Array.from(input));
      }
    }
  });

  it('detects the byte order from the format code when the byte-order word is absent', () => {
    const file = path.join(scratch, 'no-byte-order-word.sgy');
    writeSegy(file, testTraces(2, 10), { samplesPerTrace: 10, sampleIntervalUs: 1000, endianness: 'little' });
    const bytes = fs.readFileSync(file);
    bytes.fill(0, 3296, 3300);
    fs.writeFileSync(file, bytes);
    const layout = openSegyLayout(file);
    expect(layout.endianness).toBe('little');
    expect(layout.byteOrderEvidence).toContain('format code');
  });

  it('reads more than 32767 and more than 65535 samples per trace', async () => {
    for (const ns of [60000, 70000]) {
      const file = path.join(scratch, `long-${ns}.sgy`);
      const samples = new Float32Array(2 * ns).map((_, i) => i % 1000);
      writeSegy(file, samples, { samplesPerTrace: ns, sampleIntervalUs: 250 });
      const info = await segyInfo(file);
      expect(info.samples_per_trace).toBe(ns);
      expect(info.max).toBe(999);
      expect(info.last_trace_first5).toEqual([ns % 1000, (ns + 1) % 1000, (ns + 2) % 1000, (ns + 3) % 1000, (ns + 4) % 1000]);
    }
  });

  it('takes the sample count from the first trace header when the binary header says zero, with a notice', async () => {
    const file = path.join(scratch, 'zero-samples.sgy');
    writeSegy(file, testTraces(3, 40), { samplesPerTrace: 40, sampleIntervalUs: 1000, format: 1 });
    const bytes = fs.readFileSync(file);
    bytes.writeUInt16BE(0, 3220);
    fs.writeFileSync(file, bytes);
    const notices: string[] = [];
    const info = await segyInfo(file, { onNotice: (m) => notices.push(m) });
    expect(info.samples_per_trace).toBe(40);
    expect(info.n_traces).toBe(3);
    expect(notices.join('\n')).toMatch(/0 samples per trace.*using 40.*TRACE_SAMPLE_COUNT/);
  });

  it('names the field and byte offset of an unknown format code', () => {
    const file = path.join(scratch, 'format-99.sgy');
    writeSegy(file, testTraces(1, 8), { samplesPerTrace: 8, sampleIntervalUs: 1000 });
    const bytes = fs.readFileSync(file);
    bytes.writeInt16BE(99, 3224);
    fs.writeFileSync(file, bytes);
    expect(() => openSegyLayout(file)).toThrowError(/unknown data sample format code 99.*Format, bytes 3225-3226 \(byte offset 3224/);
  });

  it('refuses header values that do not fit their field', () => {
    const file = path.join(scratch, 'bad-header.sgy');
    const writer = new SegyWriter(file, { samplesPerTrace: 4, sampleIntervalUs: 1000 });
    expect(() => writer.writeTraces(new Float32Array(4), [{ SourceGroupScalar: 40000 }])).toThrowError(/SourceGroupScalar \(bytes 71-72\)/);
    expect(() => writer.writeTraces(new Float32Array(4), [{ NoSuchField: 1 } as TraceHeaderValues])).toThrowError(/Unknown trace header field 'NoSuchField'/);
    writer.abort();
    expect(fs.existsSync(file)).toBe(false);
  });
});

function segyioAvailable(): string | undefined {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) return `${python} is missing`;
  const probe = spawnSync(python, ['-c', 'import segyio, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `segyio is not importable by ${python}: ${probe.stderr.trim().split('\n').pop()}`;
}

describe('segyio reads what we write', () => {
  const problem = segyioAvailable();
  it.skipIf(missing(`segyio and numpy under /usr/bin/python3 (python3-segyio)${problem ? `: ${problem}` : ''}`, problem === undefined))('agrees on samples, sampling, format and headers for IEEE and IBM files', () => {
    const ns = 120;
    const traces = 14;
    const samples = testTraces(traces, ns, 50);
    const headers = shotHeaders(traces, 7);
    for (const format of [5, 1] as const) {
      const file = path.join(scratch, `for-segyio-${format}.sgy`);
      writeSegy(file, samples, { samplesPerTrace: ns, sampleIntervalUs: 4000, format, headers, textLines: ['made by WaveDiffusion Studio'] });
      const result = spawnSync('/usr/bin/python3', [path.join(here, 'testdata', 'segyio_dump.py'), file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(result.status, result.stderr).toBe(0);
      const dump = JSON.parse(result.stdout) as { format: number; tracecount: number; samples: number; interval_us: number; text_line1: string; data: number[][]; headers: Array<Record<string, number>> };
      expect(dump.format).toBe(format);
      expect(dump.tracecount).toBe(traces);
      expect(dump.samples).toBe(ns);
      expect(dump.interval_us).toBe(4000);
      expect(dump.text_line1.trimEnd()).toBe('C 1 made by WaveDiffusion Studio');
      const ours = new Float32Array(traces * ns);
      for (const chunk of readTraceChunksSync(file)) ours.set(chunk.samples, chunk.firstTrace * ns);
      dump.data.forEach((trace, t) => trace.forEach((v, s) => expect(v).toBe(ours[t * ns + s])));
      dump.headers.forEach((h, t) => expect(h).toMatchObject({ ...headers[t], TRACE_SAMPLE_COUNT: ns, TRACE_SEQUENCE_LINE: t + 1 }));
    }
  });
});

describe('shot gathers', () => {
  it('yields [time, receivers] gathers with headers, geometry and offsets', async () => {
    const ns = 50;
    const perShot = 9;
    const traces = 4 * perShot;
    const samples = testTraces(traces, ns);
    const file = path.join(scratch, 'gathers.sgy');
    writeSegy(file, samples, { samplesPerTrace: ns, sampleIntervalUs: 1000, headers: shotHeaders(traces, perShot) });
    const gathers: ShotGather[] = [];
    const progress: number[] = [];
    for await (const g of readShotGathers(file, { chunkBytes: 3000, onProgress: (p) => progress.push(p.done) })) gathers.push(g);
    expect(gathers.map((g) => g.keyValue)).toEqual([100, 101, 102, 103]);
    const g = gathers[2];
    expect([g.timeSamples, g.receivers, g.sampleIntervalUs]).toEqual([ns, perShot, 1000]);
    for (let r = 0; r < perShot; r++) {
      for (let t = 0; t < ns; t++) expect(g.traces[t * perShot + r]).toBe(samples[(2 * perShot + r) * ns + t]);
    }
    expect(Array.from(g.offsets)).toEqual(Array.from({ length: perShot }, (_, r) => -500 + 25 * r));
    expect(g.geometry[1].sourceX).toBeCloseTo(1234.76, 9);
    expect(g.headers[1].SourceX).toBe(123476);
    expect(progress[progress.length - 1]).toBe(traces);
  });

  it('reports gathers that are not contiguous, and reads them with ordering "indexed"', async () => {
    const ns = 6;
    const keys = [1, 1, 2, 2, 1, 3];
    const samples = new Float32Array(keys.length * ns).map((_, i) => Math.floor(i / ns));
    const file = path.join(scratch, 'interleaved.sgy');
    writeSegy(file, samples, { samplesPerTrace: ns, sampleIntervalUs: 1000, headers: keys.map((k) => ({ FieldRecord: k })) });
    const contiguous = async () => {
      for await (const gather of readShotGathers(file)) void gather;
    };
    await expect(contiguous()).rejects.toThrowError(/not grouped by FieldRecord.*FieldRecord = 1.*trace 4/);
    const gathers: ShotGather[] = [];
    for await (const gather of readShotGathers(file, { ordering: 'indexed' })) gathers.push(gather);
    expect(gathers.map((x) => [x.keyValue, x.traceIndices])).toEqual([
      [1, [0, 1, 4]],
      [2, [2, 3]],
      [3, [5]],
    ]);
    expect(Array.from(gathers[0].traces.subarray(0, 3))).toEqual([0, 1, 4]);
    const listed = await listGathers(file);
    expect(listed.contiguous).toBe(false);
    await expect(async () => {
      for await (const gather of readShotGathers(file, { key: 'NoSuchKey' })) void gather;
    }).rejects.toThrowError(/Unknown trace header field 'NoSuchKey'/);
  });

  it('stops between chunks when cancelled', async () => {
    const file = path.join(scratch, 'cancel.sgy');
    writeSegy(file, testTraces(50, 100), { samplesPerTrace: 100, sampleIntervalUs: 1000 });
    const controller = new AbortController();
    let chunks = 0;
    const read = async () => {
      for await (const chunk of readTraceChunks(file, { chunkBytes: 3000, signal: controller.signal })) {
        chunks += chunk.traceCount > 0 ? 1 : 0;
        controller.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'cancelled' });
    expect(chunks).toBe(1);
  });
});

describe('resampling to a training grid', () => {
  it('transposes trace-major gathers to [time, receivers]', () => {
    expect(Array.from(gatherToTimeReceivers(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('keeps a band-limited signal when resampling time, and is exact for linear moveout across receivers', () => {
    // 2001 samples at 0.5 ms → 1000 samples (record length kept: dtOut = 1.0005 ms), 35 → 70 receivers.
    const ntIn = 2001;
    const nrIn = 35;
    const dtIn = 500;
    const gather = new Float32Array(ntIn * nrIn);
    const signal = (tUs: number, r: number) => Math.sin(2 * Math.PI * 20 * (tUs / 1e6)) + 0.1 * r;
    for (let t = 0; t < ntIn; t++) for (let r = 0; r < nrIn; r++) gather[t * nrIn + r] = signal(t * dtIn, r);
    const out = resampleShotGather(gather, { timeSamples: ntIn, receivers: nrIn, sampleIntervalUs: dtIn }, { timeSamples: 1000, receivers: 70 });
    expect(out.length).toBe(1000 * 70);
    const dtOut = (dtIn * ntIn) / 1000;
    let worst = 0;
    for (let k = 20; k < 980; k++) {
      for (let j = 0; j < 70; j++) {
        const r = (j * (nrIn - 1)) / 69;
        worst = Math.max(worst, Math.abs(out[k * 70 + j] - signal(k * dtOut, r)));
      }
    }
    expect(worst).toBeLessThan(2e-3);
  });

  it('removes frequencies above the new Nyquist when downsampling in time', () => {
    // 400 Hz at 0.5 ms sampling (Nyquist 1 kHz) must vanish at 4 ms sampling (Nyquist 125 Hz).
    const nt = 4000;
    const gather = new Float32Array(nt).map((_, t) => Math.sin(2 * Math.PI * 400 * t * 0.0005));
    const out = resampleShotGather(gather, { timeSamples: nt, receivers: 1, sampleIntervalUs: 500 }, { timeSamples: 500, receivers: 1 });
    const interior = out.subarray(20, 480);
    expect(Math.max(...Array.from(interior, Math.abs))).toBeLessThan(0.02);
  });

  it('picks shots evenly', () => {
    expect(pickEvenly(23, 5)).toEqual([0, 6, 11, 17, 22]);
    expect(() => pickEvenly(3, 5)).toThrowError(/Cannot pick 5 shots/);
  });
});
