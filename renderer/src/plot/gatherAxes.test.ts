import { describe, expect, it } from 'vitest';
import { cellToValue } from './axes.ts';
import { deadReceivers, evenAxis } from './gatherAxes.ts';

describe('receiver axes from positions', () => {
  it('fits offset = spacing × (receiver − source) and puts each value at its cell centre', () => {
    const offsets = Array.from({ length: 70 }, (_, r) => 10 * (r - 34));
    const axis = evenAxis(offsets, 'Offset (m)')!;
    expect(axis).toEqual({ label: 'Offset (m)', step: 10, origin: -340 });
    expect(cellToValue(axis, 0.5)).toBe(-340);
    expect(cellToValue(axis, 69.5)).toBe(350);
  });

  it('extends through padding (null) and accepts a reversed spread', () => {
    expect(evenAxis([-100, -75, -50, null, null], 'Offset (m)')).toEqual({ label: 'Offset (m)', step: 25, origin: -100 });
    expect(evenAxis([300, 250, 200], 'x')).toEqual({ label: 'x', step: -50, origin: 300 });
  });

  it('refuses uneven, constant or unknown positions', () => {
    expect(evenAxis([0, 10, 25, 30], 'x')).toBeNull();
    expect(evenAxis([5, 5, 5], 'x')).toBeNull();
    expect(evenAxis([null, 3, null], 'x')).toBeNull();
  });
});

describe('dead traces', () => {
  it('finds recorded traces that are all zero, not the padding', () => {
    // [time 3, receivers 4]: receiver 1 dead, receiver 3 padding.
    const gather = new Float32Array([1, 0, 2, 0, -1, 0, 0, 0, 0.5, 0, 0, 0]);
    expect(deadReceivers(gather, 3, 4, new Set([3]))).toEqual([1]);
    expect(deadReceivers(gather, 3, 4, new Set())).toEqual([1, 3]);
  });
});
