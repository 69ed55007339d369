/**
 * The model card's learning curves, through native-models/wavediff_models/plot_curves.py: from the
 * campaign's JSON-lines logs ($WAVEDIFF_TRAIN_CACHE/<kind>.jsonl) it writes a compact summary kept in
 * the repository (native-models/campaign/curves.json), from which the PNG can be remade alone, and
 * returns each target's trend from the curve's last slope.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { nativeModelsDir } from '../../main/core/training/trainerProcess.ts';
import { StudioError } from '../../main/core/contract/errors.ts';
import { curveTargets } from './cardTargets.ts';

/** One target's curve read as a power law m = c·samplesᵇ through the ends of its last two learning-rate cycles (else its last two evaluations). */
export interface CurveTrend {
  id: string;
  kind: string;
  split: string;
  metric: string;
  limit: number;
  samples_seen: number;
  value: number;
  previous_samples_seen: number;
  previous_value: number;
  exponent: number;
  value_at_double: number;
  /** Samples seen in all at which the slope reaches the limit; null when the curve is not falling. */
  samples_to_target: number | null;
  /** Training samples per second over the whole curve; null when the log has no timing. */
  samples_per_s: number | null;
}

export interface LearningCurves {
  summary: string;
  png: string;
  trends: CurveTrend[];
}

/**
 * With `logs`, summarises them into `summary` (with the card's targets) and draws `png`; without,
 * redraws `png` from an existing `summary`. Runs /usr/bin/python3 (Debian's python3-matplotlib).
 */
export async function learningCurves(options: { logs?: string[]; summary: string; png: string; python?: string }): Promise<LearningCurves> {
  const python = options.python ?? '/usr/bin/python3';
  const args = ['-m', 'wavediff_models.plot_curves', '--summary', options.summary, '--png', options.png];
  let targetsFile: string | null = null;
  if (options.logs?.length) {
    for (const log of options.logs) if (!fs.existsSync(log)) throw new StudioError('not_found', `${log}: no such training log; give the campaign's <kind>.jsonl files.`);
    targetsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-curves-')), 'targets.json');
    fs.writeFileSync(targetsFile, JSON.stringify(curveTargets()));
    args.push('--logs', ...options.logs, '--targets', targetsFile);
  }
  try {
    const { stdout } = await promisify(execFile)(python, args, { cwd: nativeModelsDir(), env: { ...process.env, PYTHONPATH: nativeModelsDir() }, maxBuffer: 16 << 20 });
    const report = JSON.parse(stdout) as { summary: string; png: string; trends: CurveTrend[] };
    return { summary: report.summary, png: report.png, trends: report.trends };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new StudioError('internal', `Drawing the learning curves with ${python} failed: ${stderr || (error as Error).message} (python3-matplotlib installed? scripts/setup.sh installs it).`);
  } finally {
    if (targetsFile) fs.rmSync(path.dirname(targetsFile), { recursive: true, force: true });
  }
}
