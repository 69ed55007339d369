/**
 * OpenFWI pairs against the project's acquisition geometry, checked at import: a seismic sample
 * [sources, time, receivers] is what forward modelling its velocity model [1, depth, width] with
 * the geometry records, so the geometry's receivers and sources must lie inside the model. Caught
 * here, a cropped or mismatched model is refused naming both files and shapes, instead of failing
 * later inside the physics check.
 */
import type { OpenfwiDataset } from '../io/openfwi.ts';
import { formatShape } from '../io/npy.ts';
import { recordedSamples } from '../physics/acquisition.ts';
import { type AcquisitionGeometry, type GridCell } from '../contract/acquisitionGeometry.ts';
import { StudioError } from '../contract/errors.ts';

function extent(cells: GridCell[]): { minX: number; maxX: number; maxZ: number } {
  return { minX: Math.min(...cells.map((c) => c.x)), maxX: Math.max(...cells.map((c) => c.x)), maxZ: Math.max(...cells.map((c) => c.z)) };
}

/**
 * Refuses (StudioError 'bad_file') pairs whose seismic has the geometry's receiver count but whose
 * velocity model cannot hold the geometry's receivers and sources; returns a notice when the
 * seismic was recorded with another geometry (the pairs import, but the physics check and forward
 * modelling need the project's geometry changed first). Velocity-only datasets pass unchecked:
 * their seismic is made later, with whatever geometry is set then.
 */
export function checkPairsAgainstGeometry(dataset: OpenfwiDataset, geometry: AcquisitionGeometry): string[] {
  if (dataset.kind !== 'paired') return [];
  const recorded = [geometry.sources.length, recordedSamples(geometry), geometry.receivers.length];
  const receivers = extent(geometry.receivers);
  const sources = extent(geometry.sources);
  const problems: string[] = [];
  const otherGeometry: string[] = [];
  for (const part of dataset.parts) {
    const seismic = part.seismic!;
    const [, nSources, nTime, nReceivers] = seismic.shape;
    const [, , depth, width] = part.velocity.shape;
    const seismicShape = formatShape(seismic.shape.slice(1));
    const velocityShape = formatShape(part.velocity.shape.slice(1));
    if (formatShape([nSources, nTime, nReceivers]) !== formatShape(recorded)) otherGeometry.push(seismic.name);
    if (nReceivers !== geometry.receivers.length) continue;
    const needWidth = Math.max(receivers.maxX, sources.maxX) + 1;
    const needDepth = Math.max(receivers.maxZ, sources.maxZ) + 1;
    if (width < needWidth || depth < needDepth) {
      problems.push(
        `${part.velocity.name}: velocity ${velocityShape} (1, depth, width) is ${depth} × ${width} cells, but ${seismic.name}'s seismic ${seismicShape} (sources, time, receivers) has the ${nReceivers} receivers ` +
          `that the project's acquisition geometry places at x = ${receivers.minX}…${receivers.maxX}, z ≤ ${receivers.maxZ} (sources at x = ${sources.minX}…${sources.maxX}), which needs a model at least ${needDepth} × ${needWidth} cells. ` +
          `The model does not belong to this seismic (cropped, transposed, or from another survey).`,
      );
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10);
    throw new StudioError(
      'bad_file',
      `${dataset.folder}: the seismic and velocity files do not fit together under the project's acquisition geometry:\n- ${shown.join('\n- ')}${problems.length > shown.length ? `\n- … and ${problems.length - shown.length} more` : ''}\n` +
        'Pair each seismic file with the velocity models it was modelled from, or, if the data was recorded with another geometry, set the project\'s acquisition geometry to it before importing.',
      { file: dataset.folder, problems },
    );
  }
  if (otherGeometry.length === 0) return [];
  const names = otherGeometry.slice(0, 5).join(', ') + (otherGeometry.length > 5 ? ` and ${otherGeometry.length - 5} more` : '');
  return [
    `${names}: seismic samples are ${formatShape(dataset.seismicSampleShape!)} (sources, time, receivers) but the project's acquisition geometry records ${formatShape(recorded)} ` +
      `on velocity models of ${formatShape(dataset.velocitySampleShape)}: the pairs are imported, but the physics check and forward modelling of this dataset will refuse them until the project's ` +
      `acquisition geometry is the one this data was recorded with (${dataset.seismicSampleShape![0]} sources, ${dataset.seismicSampleShape![1]} time samples, ${dataset.seismicSampleShape![2]} receivers).`,
  ];
}
