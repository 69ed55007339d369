import type { JobKind } from './jobKind.ts';

/** Every job kind the studio runs. Shells pass this list to the Studio. */
export function studioJobKinds(): JobKind<any, any, any>[] {
  return [];
}
