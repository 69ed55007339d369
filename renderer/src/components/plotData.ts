import { useEffect, useMemo, useState } from 'react';
import type { Float32Payload } from '../../../main/core/contract/contract.ts';
import { decodeFloat32, type Float32Grid } from '../plot/decode.ts';

/** The last response that arrived, kept while the next one loads (so stepping through samples does not flash). */
export function useLastResponse<T>(data: T | undefined): T | undefined {
  const [shown, setShown] = useState(data);
  useEffect(() => {
    if (data) setShown(data);
  }, [data]);
  return shown;
}

/** A float32 payload decoded once per response (everything after reuses the typed array), or why it could not be; null without one. */
export function useDecodedFloat32(payload: Float32Payload | undefined): { grid: Float32Grid; error: null } | { grid: null; error: Error } | null {
  return useMemo(() => {
    if (!payload) return null;
    try {
      return { grid: decodeFloat32(payload), error: null };
    } catch (error) {
      return { grid: null, error: error as Error };
    }
  }, [payload]);
}
