import type { CliCommand } from '../command.ts';
import { Studio } from '../../core/app/studio.ts';
import { defaultDataDir } from '../../core/app/userStore.ts';
import type { SegyInfoDocument as SegyInfo } from '../../core/contract/segyInfo.ts';
import { call, printNotices } from '../studioSession.ts';

const KEY_HEADER_FIELDS = [
  'FieldRecord',
  'TraceNumber',
  'offset',
  'SourceGroupScalar',
  'SourceX',
  'SourceY',
  'GroupX',
  'GroupY',
  'INLINE_3D',
  'CROSSLINE_3D',
  'TRACE_SAMPLE_COUNT',
  'TRACE_SAMPLE_INTERVAL',
] as const;

function humanSummary(info: SegyInfo): string {
  const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(7));
  const headerLine = (h: SegyInfo['first_trace_headers']): string => KEY_HEADER_FIELDS.map((k) => `${k}=${h[k]}`).join(' ');
  const gatherSizes = info.gathers.sizes;
  const gatherText =
    info.gathers.count === 0
      ? 'none'
      : `${info.gathers.count} runs of ${info.gathers.key} (${Math.min(...gatherSizes)}–${Math.max(...gatherSizes)} traces each)`;
  return [
    `File:              ${info.file} (${info.file_size_bytes} bytes)`,
    `Format:            ${info.format_code} (${info.format_description}), ${info.endianness}-endian (from ${info.byte_order_evidence})`,
    `Textual header:    ${info.text_encoding.toUpperCase()}, ${info.ext_text_headers} extended; line 1: ${JSON.stringify(info.text_line1)}`,
    `Traces:            ${info.n_traces} × ${info.samples_per_trace} samples at ${info.sample_interval_us} µs (first trace at byte ${info.first_trace_byte_offset}, ${info.trace_bytes} bytes each)`,
    `Samples:           min ${fmt(info.min)}  max ${fmt(info.max)}  sum ${fmt(info.sum)}  sum of squares ${fmt(info.sum_sq)}  sum of |x| ${fmt(info.sum_abs)}`,
    `Trace 0, first 5:  ${info.trace0_first5.map(fmt).join(', ')}`,
    `Last trace, 5:     ${info.last_trace_first5.map(fmt).join(', ')}`,
    `First trace:       ${headerLine(info.first_trace_headers)}`,
    `Last trace:        ${headerLine(info.last_trace_headers)}`,
    `Gathers:           ${gatherText}`,
    '',
  ].join('\n');
}

export const segyInfoCommand: CliCommand = {
  name: 'segy-info',
  summary: 'Summarise a SEG-Y file: format, byte order, geometry, sample statistics, headers',
  usage: `Usage: wavediff segy-info FILE [--json] [--key FIELD]

Reads FILE once (bounded memory) and reports its sample format and byte order, textual header
encoding, trace count and sampling, float64 statistics over every sample, the first and last
trace headers (raw stored values, by segyio TraceField name) and its gathers.

Options:
  --json        print one JSON object on stdout (on failure: {"error": "..."} and exit status 1)
  --key FIELD   TraceField grouping traces into gathers (default FieldRecord)
`,
  options: {
    json: { type: 'boolean', default: false },
    key: { type: 'string' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) {
      io.stderr.write(`wavediff segy-info: give exactly one FILE.\n\n${this.usage}`);
      return 2;
    }
    // A query of the contract: no project, no job.
    const studio = new Studio({ dataDir: defaultDataDir(), shell: 'cli', jobKinds: [] });
    const off = printNotices(studio, io);
    let info: SegyInfo;
    try {
      info = await call(studio, 'segy.info', { file, gatherKey: typeof args.values.key === 'string' ? args.values.key : undefined });
    } finally {
      off();
      await studio.shutdown();
    }
    io.stdout.write(args.values.json ? `${JSON.stringify(info)}\n` : humanSummary(info));
    return 0;
  },
};
