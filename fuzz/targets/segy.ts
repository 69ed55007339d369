/** SEG-Y: the real files of ../shared/testdata/segy, read as the import does (summary, then gathers). */
import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../main/core/util/paths.ts';
import { segyInfo } from '../../main/core/io/segy/info.ts';
import { readShotGathers } from '../../main/core/io/segy/gathers.ts';
import { TRACE_FIELDS } from '../../main/core/io/segy/fields.ts';
import { SAMPLE_FORMATS, type SampleFormatCode } from '../../main/core/io/segy/sampleFormats.ts';
import { BINARY, FILE_HEADER_BYTES, TRACE_HEADER_BYTES } from '../../main/core/io/segy/fields.ts';
import type { FieldSpot } from '../mutate.ts';
import type { Violation } from '../property.ts';
import { FILE_REFUSALS, attempt, type Target } from './target.ts';

/** Binary header words (1-based file bytes from fields.ts) and their widths. */
const BINARY_WIDTHS: Record<keyof typeof BINARY, number> = {
  JobID: 4, LineNumber: 4, ReelNumber: 4, Traces: 2, AuxTraces: 2, Interval: 2, IntervalOriginal: 2, Samples: 2, SamplesOriginal: 2,
  Format: 2, EnsembleFold: 2, SortingCode: 2, MeasurementSystem: 2, ExtSamples: 4, ExtInterval: 8, ByteOrder: 4, SEGYRevision: 1,
  SEGYRevisionMinor: 1, TraceFlag: 2, ExtendedHeaders: 2, ExtTraces: 8, FirstTraceOffset: 8,
};

function segyFields(input: Buffer): FieldSpot[] {
  if (input.length < FILE_HEADER_BYTES) return [];
  const formatAt = BINARY.Format - 1;
  const bigFormat = input.readInt16BE(formatAt);
  const little = !(bigFormat in SAMPLE_FORMATS) && input.readInt16LE(formatAt) in SAMPLE_FORMATS;
  const kind = little ? 'le' : 'be';
  const spots: FieldSpot[] = Object.entries(BINARY).map(([name, byte]) => ({ offset: byte - 1, size: BINARY_WIDTHS[name as keyof typeof BINARY], kind, name: `binary ${name}` }));
  // Trace headers: the first one, and the last one when the binary header's sample count tiles the file.
  const traceStarts = [FILE_HEADER_BYTES];
  const samples = little ? input.readUInt16LE(BINARY.Samples - 1) : input.readUInt16BE(BINARY.Samples - 1);
  const format = SAMPLE_FORMATS[(little ? input.readInt16LE(formatAt) : bigFormat) as SampleFormatCode];
  if (format && samples > 0) {
    const traceBytes = TRACE_HEADER_BYTES + samples * format.bytesPerSample;
    const traces = Math.floor((input.length - FILE_HEADER_BYTES) / traceBytes);
    if (traces > 1) traceStarts.push(FILE_HEADER_BYTES + (traces - 1) * traceBytes);
  }
  for (const start of traceStarts) {
    if (start + TRACE_HEADER_BYTES > input.length) continue;
    for (const field of TRACE_FIELDS) spots.push({ offset: start + field.byte - 1, size: field.size, kind, name: `trace@${start} ${field.name}` });
  }
  return spots;
}

export const segyTarget: Target = {
  name: 'segy',
  ext: 'sgy',
  // int8 samples decode to float64 in the summary: 8 bytes per stored byte, one chunk at a time.
  allocationFactor: 16,
  grammar: {
    fields: segyFields,
    tokens: ['((SEG: EndText))', '((SEG: EndText)) ', 'C 1 CLIENT ', 'C40 END EBCDIC', '\xc3\xf1\x40', '\x00\x00\x00\x00', '\xff\xff\xff\xff', '\x01\x02\x03\x04', '\x04\x03\x02\x01'],
    headerBytes: () => FILE_HEADER_BYTES + TRACE_HEADER_BYTES,
  },
  async seeds() {
    const dir = path.join(sharedDir(), 'testdata', 'segy');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((name) => !/\.(md|json)$/.test(name))
      .sort()
      .map((name) => ({ name: `shared/testdata/segy/${name}`, bytes: fs.readFileSync(path.join(dir, name)) }));
  },
  async run(file) {
    const violations: Violation[] = [];
    const rules = { file, fileBytes: fs.statSync(file).size, allowedCodes: FILE_REFUSALS };
    await attempt('segyInfo', () => segyInfo(file), rules, violations);
    let notGrouped = false;
    await attempt(
      'readShotGathers',
      async () => {
        for await (const gather of readShotGathers(file)) void gather;
      },
      rules,
      violations,
      (error) => (notGrouped = /not grouped by/.test(error.message)),
    );
    if (notGrouped) {
      await attempt(
        'readShotGathers indexed',
        async () => {
          for await (const gather of readShotGathers(file, { ordering: 'indexed' })) void gather;
        },
        rules,
        violations,
      );
    }
    return violations;
  },
};
