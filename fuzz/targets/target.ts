/** What the fuzzer needs to know about one reader or server surface. */
import type { StudioErrorCode } from '../../main/core/contract/errors.ts';
import type { MutatedInput, MutationGrammar, Rng } from '../mutate.ts';
import { judgeFileError, summarise, type ErrorSummary, type FileErrorRules, type Violation } from '../property.ts';
import type { ServerHarness } from '../serverHarness.ts';

export const TARGET_NAMES = ['segy', 'npy', 'openfwi', 'zip', 'http', 'ws'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Seed {
  /** Where it came from: a shared test file, a corpus entry, or a description of a built seed. */
  name: string;
  bytes: Buffer;
}

/** Scratch space and the lazily started server, owned by whoever runs inputs (the executor, the replay test). */
export interface RunContext {
  /** A private folder the target may write under (extraction, import destinations). */
  workDir: string;
  server(): Promise<ServerHarness>;
}

export interface Target {
  name: TargetName;
  /** Extension of the input files (and of saved findings). */
  ext: string;
  /** Allocation bound: `allocationFactor` × input bytes + 64 MiB (see property.ts). */
  allocationFactor: number;
  grammar: MutationGrammar;
  seeds(): Promise<Seed[]>;
  /** How often a seed is picked relative to the others (default 1): slow seeds less often. */
  weight?(seed: Seed): number;
  /** Replaces the byte-level mutation for inputs with structure of their own (a packed folder). */
  mutate?(seed: Buffer, others: readonly Buffer[], rng: Rng, maxBytes: number): MutatedInput;
  /** Runs the input stored at `inputPath` through the reader or the server and returns what broke the property. */
  run(inputPath: string, context: RunContext): Promise<Violation[]>;
}

/**
 * Runs one operation of a file reader: a result, or a refusal that `judgeFileError` checks. Returns the
 * result (undefined after a refusal) and records violations. `onError` sees every refusal.
 */
/** Operations of file readers run in this process that ended in a result, or in a refusal (StudioError or not). */
export const stepCounts = { results: 0, refusals: 0 };

export async function attempt<T>(
  step: string,
  operation: () => T | Promise<T>,
  rules: FileErrorRules,
  violations: Violation[],
  onError?: (error: ErrorSummary) => void,
): Promise<T | undefined> {
  try {
    const result = await operation();
    stepCounts.results++;
    return result;
  } catch (error) {
    stepCounts.refusals++;
    const summary = summarise(error);
    onError?.(summary);
    const violation = judgeFileError(step, summary, rules);
    if (violation) violations.push(violation);
    return undefined;
  }
}

export const FILE_REFUSALS: readonly StudioErrorCode[] = ['bad_file', 'unsupported'];
