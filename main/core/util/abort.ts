import { StudioError } from '../contract/errors.ts';

/** Throws the studio's 'cancelled' error when the signal has fired; call between units of work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError('cancelled', 'Cancelled by the user.');
}
