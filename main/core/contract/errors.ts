/**
 * The one error type that crosses the API boundary. `code` is stable and machine-readable;
 * `message` tells a person what went wrong, where, and what to do about it.
 */
export type StudioErrorCode =
  | 'bad_input' // arguments that fail validation or a precondition
  | 'bad_file' // a file that cannot be read as what it claims to be
  | 'not_found'
  | 'conflict' // the operation clashes with current state (a running job, an existing folder)
  | 'cancelled'
  | 'unsupported'
  | 'newer_database' // a catalogue written by a newer version of the studio
  | 'no_project' // the operation needs an open project
  | 'io'
  | 'internal';

export class StudioError extends Error {
  readonly code: StudioErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: StudioErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.details = details;
  }
}

export interface WireError {
  code: StudioErrorCode;
  message: string;
}

/** Turns anything thrown into the `{ code, message }` that crosses process boundaries. */
export function toWireError(error: unknown): WireError {
  if (error instanceof StudioError) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const nodeCode = (error as NodeJS.ErrnoException).code;
    if (nodeCode === 'ENOENT') return { code: 'not_found', message: error.message };
    if (nodeCode === 'EACCES' || nodeCode === 'EPERM') return { code: 'io', message: error.message };
    return { code: 'internal', message: error.message };
  }
  return { code: 'internal', message: String(error) };
}

export function isCancelled(error: unknown): boolean {
  return error instanceof StudioError && error.code === 'cancelled';
}
