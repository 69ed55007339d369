/**
 * The property every fuzzed input must satisfy, shared by the fuzzer's executor and the corpus replay
 * test: the reader (or the server) ends in a result or in a clear StudioError — one that names the
 * file and, for a parse error (`bad_file`), carries the byte offset inside the file — and never in an
 * internal error (TypeError, RangeError, a Node error code, StudioError 'internal' or an unknown code),
 * a hang over 2 s, or an allocation larger than the input justifies.
 */
import fs from 'node:fs';
import { StudioError, type StudioErrorCode } from '../main/core/contract/errors.ts';

export type ViolationKind = 'crash' | 'hang' | 'alloc' | 'unclear';

/** One broken promise of the property; `reason` is what a person needs to find the bug. */
export interface Violation {
  kind: ViolationKind;
  /** The operation that broke it, e.g. 'readNpyRaw', 'GET', 'ws message'. */
  step: string;
  reason: string;
}

/** What a thrown value looked like, in a form that crosses process boundaries. */
export interface ErrorSummary {
  studioError: boolean;
  name: string;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
  /** The first frames of the stack, for a crash. */
  stack?: string;
}

export const KNOWN_CODES: ReadonlySet<StudioErrorCode> = new Set<StudioErrorCode>([
  'bad_input', 'bad_file', 'not_found', 'conflict', 'cancelled', 'unsupported', 'newer_database', 'no_project', 'io', 'internal',
]);

export function summarise(error: unknown): ErrorSummary {
  if (error instanceof StudioError) {
    let details: Record<string, unknown> | undefined;
    try {
      details = error.details ? JSON.parse(JSON.stringify(error.details)) : undefined;
    } catch {
      details = { unserialisable: true };
    }
    return { studioError: true, name: error.name, code: error.code, message: error.message, details };
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { studioError: false, name: error.name, code: typeof code === 'string' ? code : undefined, message: error.message, stack: error.stack?.split('\n').slice(0, 8).join('\n') };
  }
  return { studioError: false, name: typeof error, message: String(error) };
}

/** The largest allocation an input of `inputBytes` may cause: `factor` × its size plus a fixed 64 MiB. */
export function allocationBound(inputBytes: number, factor: number): number {
  return factor * inputBytes + (64 << 20);
}

export interface FileErrorRules {
  /** The path the reader was given: the message must contain it. */
  file: string;
  fileBytes: number;
  /** Codes a refusal of this reader may carry. */
  allowedCodes: readonly StudioErrorCode[];
  /** `bad_file` errors that list problems of several files (an OpenFWI folder) need no single byte offset. */
  problemListOk?: boolean;
}

/** Checks one refusal of a file reader against the property; null when it is a clear StudioError. */
export function judgeFileError(step: string, error: ErrorSummary, rules: FileErrorRules): Violation | null {
  if (!error.studioError) {
    return { kind: 'crash', step, reason: `internal error ${error.name}${error.code ? ` (${error.code})` : ''}: ${error.message}${error.stack ? `\n${error.stack}` : ''}` };
  }
  const code = error.code as StudioErrorCode;
  if (!KNOWN_CODES.has(code) || code === 'internal') return { kind: 'crash', step, reason: `StudioError with code ${JSON.stringify(error.code)}: ${error.message}` };
  if (!rules.allowedCodes.includes(code)) return { kind: 'unclear', step, reason: `unexpected code ${code} for a damaged file: ${error.message}` };
  if (!error.message.includes(rules.file)) return { kind: 'unclear', step, reason: `the message does not name the file ${rules.file}: ${error.message}` };
  if (code === 'bad_file') {
    if (rules.problemListOk && Array.isArray(error.details?.problems)) return null;
    const offset = error.details?.byteOffset;
    if (typeof offset !== 'number' || !Number.isInteger(offset)) return { kind: 'unclear', step, reason: `a parse error without a byte offset (details.byteOffset is ${JSON.stringify(offset)}): ${error.message}` };
    if (offset < 0 || offset > rules.fileBytes) return { kind: 'unclear', step, reason: `byte offset ${offset} lies outside the ${rules.fileBytes}-byte file: ${error.message}` };
    if (!/\bbytes?\b/i.test(error.message)) return { kind: 'unclear', step, reason: `the message does not say at which byte: ${error.message}` };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Memory: what one input allocated

/** Resident and virtual peaks of this process (Linux); null elsewhere. */
function procStatus(): { rss: number; hwm: number } | null {
  try {
    const text = fs.readFileSync('/proc/self/status', 'latin1');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** Resets the resident-set peak (VmHWM) to the current size, so that the next reading is this input's peak. */
function resetResidentPeak(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export interface AllocationProbe {
  /** Bytes: the largest of the resident peak's growth and the heap + external (ArrayBuffer) growth. */
  finish(): { bytes: number; how: string };
}

/**
 * Starts measuring: the resident peak reset to now, and heap + external memory noted (`collect` first
 * runs a full GC where the process allows one, `--expose-gc`: about 13 ms here, many times a small
 * input's run, so the executor collects every 64 inputs). `finish()` is called while the reader's
 * result is still referenced, so what it holds counts.
 */
export function startAllocationProbe(collect = true): AllocationProbe {
  if (collect) (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const peakReset = resetResidentPeak();
  const statusBefore = peakReset ? procStatus() : null;
  return {
    finish() {
      const after = process.memoryUsage();
      const heapAndExternal = after.heapUsed + after.external - (before.heapUsed + before.external);
      const statusAfter = statusBefore ? procStatus() : null;
      const resident = statusBefore && statusAfter ? statusAfter.hwm - statusBefore.rss : 0;
      return resident > heapAndExternal
        ? { bytes: resident, how: 'resident peak growth (VmHWM)' }
        : { bytes: heapAndExternal, how: 'heap + external (ArrayBuffer) growth' };
    },
  };
}
