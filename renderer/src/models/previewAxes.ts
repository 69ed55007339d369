/**
 * Physical axes of a training run's preview arrays. The trainer area-resizes the stored arrays to
 * its network sizes (data.py, Preprocessor), so preview cell k averages stored cells [k·f, (k+1)·f)
 * with f = stored / shown; its centre lies at stored index (k + ½)·f − ½. Pure: no DOM.
 */
import type { TrainingSampling } from '../../../main/core/contract/contract.ts';
import type { AxisScale } from '../plot/axes.ts';
import { evenAxis } from '../plot/gatherAxes.ts';

export interface PreviewAxes {
  xAxis: AxisScale;
  yAxis: AxisScale;
  /** Whether both axes are in physical units (else grid cells of the preview). */
  physical: boolean;
}

/** A stored array's axis carried over to the same extent resized by area from `stored` to `shown` cells. */
export function resizedAxis(axis: AxisScale, stored: number, shown: number): AxisScale {
  const factor = stored / shown;
  return { label: axis.label, step: axis.step * factor, origin: axis.origin + (axis.step * (factor - 1)) / 2 };
}

/** A seismic preview [time, receivers]: time in ms and source–receiver offset (else receiver x) in the dataset's length unit. */
export function seismicPreviewAxes(sampling: TrainingSampling | null, rows: number, cols: number): PreviewAxes {
  const shape = sampling?.seismicShape;
  const dtMs = sampling?.sampleIntervalMs;
  const positions = sampling?.positions;
  const unit = positions?.lengthUnit ?? 'header units';
  const receivers = positions ? (evenAxis(positions.offset, `Offset (${unit})`) ?? evenAxis(positions.receiverX, `Receiver x (${unit})`)) : null;
  const yAxis = shape && dtMs ? resizedAxis({ label: 'Time (ms)', step: dtMs, origin: 0 }, shape[1], rows) : null;
  const xAxis = shape && receivers ? resizedAxis(receivers, shape[2], cols) : null;
  return {
    xAxis: xAxis ?? { label: 'Receiver', step: 1, origin: 0 },
    yAxis: yAxis ?? { label: 'Time sample', step: 1, origin: 0 },
    physical: xAxis !== null && yAxis !== null,
  };
}

/** A velocity preview [depth, width]: distance and depth in m from the dataset's grid spacing (Δz = Δx). */
export function velocityPreviewAxes(sampling: TrainingSampling | null, rows: number, cols: number): PreviewAxes {
  const shape = sampling?.velocityShape;
  const dxM = sampling?.gridSpacingM;
  if (!shape || !dxM) return { xAxis: { label: 'Grid column', step: 1, origin: 0 }, yAxis: { label: 'Grid row', step: 1, origin: 0 }, physical: false };
  return {
    xAxis: resizedAxis({ label: 'Distance (m)', step: dxM, origin: 0 }, shape[2], cols),
    yAxis: resizedAxis({ label: 'Depth (m)', step: dxM, origin: 0 }, shape[1], rows),
    physical: true,
  };
}
