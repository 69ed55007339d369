/**
 * Wiggle-trace geometry for a shot gather [time, receivers]: one polyline per trace and the polygons
 * of its positive lobes (variable-area fill). Coordinates are in data units — x in receiver index
 * (the trace's zero line sits at x = receiver), y in time-sample index — so a view transform maps
 * them to the screen without recomputing the geometry.
 */

export interface WiggleOptions {
  /** Receivers to draw, inclusive range; clamped to the gather. */
  firstReceiver: number;
  lastReceiver: number;
  /** Draw every `receiverStep`-th receiver (≥ 1), to keep dense gathers legible. */
  receiverStep?: number;
  /** Time samples to include, inclusive range; clamped to the gather. */
  firstSample: number;
  lastSample: number;
  /**
   * Amplitude that deflects a trace by `maxDeflection` trace spacings. Samples beyond it are clipped
   * at ±maxDeflection, so a trace never crosses its neighbours by more than that.
   */
  clipAmplitude: number;
  /** Largest deflection in trace spacings (default 1). */
  maxDeflection?: number;
}

export interface WiggleTrace {
  receiver: number;
  /** Polyline as interleaved x, y pairs. */
  line: Float32Array;
  /** Positive lobes, each a closed polygon (x, y pairs) along the curve and back along the zero line. */
  lobes: Float32Array[];
}

/** Deflection of amplitude `v` in trace spacings: v / clip · maxDeflection, clipped to ±maxDeflection. */
export function deflection(v: number, clipAmplitude: number, maxDeflection: number): number {
  if (!Number.isFinite(v) || !(clipAmplitude > 0)) return 0;
  const d = (v / clipAmplitude) * maxDeflection;
  return d > maxDeflection ? maxDeflection : d < -maxDeflection ? -maxDeflection : d;
}

export function wiggleTraces(values: Float32Array, nTime: number, nReceivers: number, options: WiggleOptions): WiggleTrace[] {
  if (values.length !== nTime * nReceivers) {
    throw new Error(`Wiggle: array of ${values.length} values is not [${nTime} time, ${nReceivers} receivers].`);
  }
  if (nTime === 0 || nReceivers === 0) return [];
  const maxDeflection = options.maxDeflection ?? 1;
  const step = Math.max(1, Math.floor(options.receiverStep ?? 1));
  const r0 = Math.max(0, Math.floor(options.firstReceiver));
  const r1 = Math.min(nReceivers - 1, Math.ceil(options.lastReceiver));
  const t0 = Math.max(0, Math.floor(options.firstSample));
  const t1 = Math.min(nTime - 1, Math.ceil(options.lastSample));
  const traces: WiggleTrace[] = [];
  if (r1 < r0 || t1 < t0) return traces;
  const firstDrawn = Math.ceil(r0 / step) * step;

  for (let r = firstDrawn; r <= r1; r += step) {
    const count = t1 - t0 + 1;
    const line = new Float32Array(count * 2);
    const lobes: Float32Array[] = [];
    let lobe: number[] | null = null;
    let prevD = 0;
    for (let t = t0; t <= t1; t++) {
      const d = deflection(values[t * nReceivers + r], options.clipAmplitude, maxDeflection);
      const k = (t - t0) * 2;
      line[k] = r + d;
      line[k + 1] = t;
      if (d > 0) {
        if (!lobe) {
          // Lobe starts at the zero crossing between the previous sample and this one (linear interpolation).
          const yStart = t === t0 ? t : prevD < 0 ? t - d / (d - prevD) : t - 1;
          lobe = [r, yStart];
        }
        lobe.push(r + d, t);
      } else if (lobe) {
        // Lobe ends at the zero crossing between the previous (positive) sample and this one.
        lobe.push(r, d === 0 ? t : t - 1 + prevD / (prevD - d));
        lobes.push(closeLobe(lobe, r));
        lobe = null;
      }
      prevD = d;
    }
    if (lobe) {
      lobe.push(r, t1);
      lobes.push(closeLobe(lobe, r));
    }
    traces.push({ receiver: r, line, lobes });
  }
  return traces;
}

/** Closes a lobe back to its start along the zero line x = receiver (the last point is already on it). */
function closeLobe(points: number[], receiver: number): Float32Array {
  points.push(receiver, points[1]);
  return Float32Array.from(points);
}

/** Step between drawn traces so that neighbours are at least `minSpacingPx` apart on screen. */
export function wiggleReceiverStep(pixelsPerReceiver: number, minSpacingPx = 3): number {
  if (!(pixelsPerReceiver > 0)) return 1;
  return Math.max(1, Math.ceil(minSpacingPx / pixelsPerReceiver));
}
