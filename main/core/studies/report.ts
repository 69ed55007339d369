/**
 * A study's report folder, studies/<id>/ in the project: report.md, results.json and plots/*.png,
 * each written atomically; the catalogue marks the study done only after all of them are complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StudyReport, StudyTable } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { appVersion } from '../util/version.ts';
import { renderChart } from './chart.ts';
import type { StudyOutcome } from './studyKind.ts';

export const REPORT_FILE = 'report.md';
export const RESULTS_FILE = 'results.json';
export const PLOTS_FOLDER = 'plots';

export interface StudyHeader {
  id: number;
  kind: string;
  title: string;
  params: Record<string, unknown>;
  createdAt: string;
}

/** A number as a table cell shows it: four significant digits. */
export function formatCell(value: string | number | null): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e5 ? String(Number(value.toPrecision(4))) : value.toExponential(3);
}

export function markdownTable(table: StudyTable): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    `| ${table.columns.map(escape).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map((cell) => escape(formatCell(cell))).join(' | ')} |`),
  ].join('\n');
}

function reportMarkdown(header: StudyHeader, outcome: StudyOutcome): string {
  return [
    `# ${header.title}`,
    '',
    `Study ${header.id} (${header.kind}), ${header.createdAt}, WaveDiffusion Studio ${appVersion()}.`,
    '',
    ...outcome.sections.flatMap((s) => [`## ${s.heading}`, '', s.markdown.trim(), '']),
    '## Results',
    '',
    markdownTable(outcome.table),
    '',
    ...(outcome.plots.length ? ['## Plots', '', ...outcome.plots.flatMap((p) => [`![${p.title}](${PLOTS_FOLDER}/${p.name}.png)`, ''])] : []),
    '## Reproducing it',
    '',
    'Parameters (seeds and model references included; results.json holds every number):',
    '',
    '```json',
    JSON.stringify(header.params, null, 2),
    '```',
    '',
  ].join('\n');
}

/** Writes the report of a study into `folder` (created if missing): plots first, then results.json, then report.md. */
export function writeStudyReport(folder: string, header: StudyHeader, outcome: StudyOutcome): void {
  for (const plot of outcome.plots) {
    if (!/^[A-Za-z0-9_-]+$/.test(plot.name)) throw new StudioError('internal', `Plot name '${plot.name}' is not a plain file name.`);
  }
  fs.mkdirSync(path.join(folder, PLOTS_FOLDER), { recursive: true });
  for (const plot of outcome.plots) writeFileAtomic(path.join(folder, PLOTS_FOLDER, `${plot.name}.png`), renderChart(plot.chart));
  const results = {
    study: { id: header.id, kind: header.kind, title: header.title, createdAt: header.createdAt, version: appVersion() },
    params: header.params,
    ...outcome.results,
    summary: outcome.summary,
    table: outcome.table,
    plots: outcome.plots.map((p) => ({ file: `${PLOTS_FOLDER}/${p.name}.png`, title: p.title, chart: p.chart })),
  };
  writeFileAtomic(path.join(folder, RESULTS_FILE), `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(path.join(folder, REPORT_FILE), reportMarkdown(header, outcome));
}

/** The files of a report, relative to its folder. */
export function reportFiles(folder: string): string[] {
  const plots = fs.existsSync(path.join(folder, PLOTS_FOLDER)) ? fs.readdirSync(path.join(folder, PLOTS_FOLDER)).filter((f) => f.endsWith('.png')).sort() : [];
  return [REPORT_FILE, RESULTS_FILE, ...plots.map((f) => `${PLOTS_FOLDER}/${f}`)].filter((f) => fs.existsSync(path.join(folder, f)));
}

/** Reads a finished report back: its Markdown, numbers, table and plots (base64). */
export function readStudyReport(folder: string): Omit<StudyReport, 'study'> {
  const file = path.join(folder, RESULTS_FILE);
  if (!fs.existsSync(file)) throw new StudioError('not_found', `${file} does not exist: the study has no report yet (it is running, or it failed; see its job in the Jobs view).`);
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & { table: StudyTable; plots: { file: string; title: string }[] };
  return {
    markdown: fs.readFileSync(path.join(folder, REPORT_FILE), 'utf8'),
    results,
    table: results.table,
    plots: results.plots.map((p) => ({ file: p.file, title: p.title, pngBase64: fs.readFileSync(path.join(folder, p.file)).toString('base64') })),
  };
}

/** Copies a report's files into `destination` (refused when it holds other files, unless `overwrite`). */
export function exportStudyReport(folder: string, destination: string, overwrite: boolean): string[] {
  if (!path.isAbsolute(destination)) throw new StudioError('bad_input', `Export folder '${destination}' must be an absolute path on the studio machine.`);
  if (fs.existsSync(destination) && !fs.statSync(destination).isDirectory()) throw new StudioError('bad_input', `${destination} is a file; choose a folder for the report.`);
  if (!overwrite && fs.existsSync(destination) && fs.readdirSync(destination).length > 0) {
    throw new StudioError('conflict', `${destination} is not empty; choose an empty folder, or export with overwrite.`);
  }
  const files = reportFiles(folder);
  if (!files.includes(RESULTS_FILE)) throw new StudioError('not_found', `The study in ${folder} has no report to export yet.`);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
    writeFileAtomic(path.join(destination, file), fs.readFileSync(path.join(folder, file)));
  }
  return files.map((f) => path.join(destination, f));
}
