import { useEffect, useState } from 'react';
import type { StudioClient } from '../api/client.ts';
import { useStudio } from '../api/context.tsx';
import { useApiEvent } from '../api/hooks.ts';
import { decodeFloat32 } from '../plot/decode.ts';
import { ThumbnailCache } from './thumbnailCache.ts';

/** A generated sample's decoded velocity v̂ [depth, width] in m/s, for a grid cell. */
export interface VelocityThumbnail {
  values: Float32Array;
  rows: number;
  cols: number;
}

const caches = new WeakMap<StudioClient, ThumbnailCache<VelocityThumbnail>>();

function cacheFor(client: StudioClient): ThumbnailCache<VelocityThumbnail> {
  let cache = caches.get(client);
  if (!cache) {
    cache = new ThumbnailCache<VelocityThumbnail>(async (key) => {
      const [datasetId, sample] = key.split(':').map(Number);
      const map = await client.call('dataset.velocityMap', { datasetId, sample });
      const grid = decodeFloat32(map.velocityMps);
      return { values: grid.values, rows: grid.shape[0], cols: grid.shape[1] };
    });
    caches.set(client, cache);
  }
  return cache;
}

/**
 * The velocity thumbnail of a generated sample (its row in the run's dataset), fetched when the cell
 * mounts and cached for the session; the request is withdrawn if the cell scrolls away first.
 */
export function useVelocityThumbnail(datasetId: number | null, sampleIndex: number): { thumbnail: VelocityThumbnail | null; error: Error | null } {
  const client = useStudio();
  const key = datasetId === null ? null : `${datasetId}:${sampleIndex}`;
  const [state, setState] = useState<{ key: string | null; thumbnail: VelocityThumbnail | null; error: Error | null }>(() => ({
    key,
    thumbnail: key ? (cacheFor(client).get(key) ?? null) : null,
    error: null,
  }));
  useEffect(() => {
    if (!key) return;
    const cache = cacheFor(client);
    const cached = cache.get(key);
    if (cached) {
      setState({ key, thumbnail: cached, error: null });
      return;
    }
    setState({ key, thumbnail: null, error: null });
    return cache.request(key, (result) => setState(result instanceof Error ? { key, thumbnail: null, error: result } : { key, thumbnail: result, error: null }));
  }, [client, key]);
  return state.key === key ? { thumbnail: state.thumbnail, error: state.error } : { thumbnail: null, error: null };
}

/** Forgets cached thumbnails when another project opens (sample rows of a different catalogue). Call once per view. */
export function useThumbnailReset(): void {
  const client = useStudio();
  useApiEvent('project.changed', () => cacheFor(client).clear());
}
