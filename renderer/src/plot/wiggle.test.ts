import { describe, expect, it } from 'vitest';
import { deflection, wiggleReceiverStep, wiggleTraces } from './wiggle.ts';

function pairs(a: Float32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i], a[i + 1]]);
  return out;
}

describe('wiggle traces', () => {
  it('deflects by amplitude / clip, clipped to the maximum deflection', () => {
    expect(deflection(0.5, 1, 1)).toBe(0.5);
    expect(deflection(3, 1, 0.8)).toBe(0.8);
    expect(deflection(-3, 1, 0.8)).toBe(-0.8);
    expect(deflection(Number.NaN, 1, 1)).toBe(0);
    expect(deflection(1, 0, 1)).toBe(0);
  });

  it('draws one polyline per trace around its receiver index', () => {
    // [time 3, receivers 2]
    const values = new Float32Array([0, 1, 1, -1, 0, 0]);
    const traces = wiggleTraces(values, 3, 2, { firstReceiver: 0, lastReceiver: 1, firstSample: 0, lastSample: 2, clipAmplitude: 2 });
    expect(traces.map((t) => t.receiver)).toEqual([0, 1]);
    expect(pairs(traces[0].line)).toEqual([[0, 0], [0.5, 1], [0, 2]]);
    expect(pairs(traces[1].line)).toEqual([[1.5, 0], [0.5, 1], [1, 2]]);
  });

  it('fills positive lobes from zero crossing to zero crossing', () => {
    // One trace: -1, +1, +1, -1 → crossings at t = 0.5 and t = 2.5.
    const values = new Float32Array([-1, 1, 1, -1]);
    const [trace] = wiggleTraces(values, 4, 1, { firstReceiver: 0, lastReceiver: 0, firstSample: 0, lastSample: 3, clipAmplitude: 1 });
    expect(trace.lobes).toHaveLength(1);
    expect(pairs(trace.lobes[0])).toEqual([[0, 0.5], [1, 1], [1, 2], [0, 2.5], [0, 0.5]]);
  });

  it('closes a lobe that runs to the end of the window, and starts one at a zero sample', () => {
    const values = new Float32Array([0, 2, 1]);
    const [trace] = wiggleTraces(values, 3, 1, { firstReceiver: 0, lastReceiver: 0, firstSample: 0, lastSample: 2, clipAmplitude: 2 });
    expect(trace.lobes).toHaveLength(1);
    expect(pairs(trace.lobes[0])).toEqual([[0, 0], [1, 1], [0.5, 2], [0, 2], [0, 0]]);
  });

  it('has no lobes for a negative-only trace', () => {
    const [trace] = wiggleTraces(new Float32Array([-1, -2, 0]), 3, 1, { firstReceiver: 0, lastReceiver: 0, firstSample: 0, lastSample: 2, clipAmplitude: 1 });
    expect(trace.lobes).toHaveLength(0);
  });

  it('restricts to the visible window and steps over receivers', () => {
    const nTime = 10;
    const nRec = 10;
    const values = new Float32Array(nTime * nRec).fill(0.1);
    const traces = wiggleTraces(values, nTime, nRec, {
      firstReceiver: 1.4, lastReceiver: 7.2, receiverStep: 3, firstSample: 2.5, lastSample: 5.5, clipAmplitude: 1,
    });
    expect(traces.map((t) => t.receiver)).toEqual([3, 6]);
    expect(pairs(traces[0].line).map(([, y]) => y)).toEqual([2, 3, 4, 5, 6]);
  });

  it('chooses a step that keeps traces apart on screen', () => {
    expect(wiggleReceiverStep(10)).toBe(1);
    expect(wiggleReceiverStep(1)).toBe(3);
    expect(wiggleReceiverStep(0.5, 4)).toBe(8);
    expect(wiggleReceiverStep(0)).toBe(1);
  });
});
