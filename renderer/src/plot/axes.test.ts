import { describe, expect, it } from 'vitest';
import { axisTicks, cellToValue, valueToCell } from './axes.ts';

describe('physical axes', () => {
  const time = { label: 'Time (ms)', step: 4, origin: 0 };

  it('puts cell centres at origin + i·step', () => {
    expect(cellToValue(time, 0.5)).toBe(0);
    expect(cellToValue(time, 10.5)).toBe(40);
    expect(valueToCell(time, 40)).toBe(10.5);
  });

  it('lists ticks for the visible span with their coordinates', () => {
    const ticks = axisTicks(time, 0.5, 250.5, 5);
    expect(ticks.map((t) => t.value)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(ticks[1].coordinate).toBe(50.5);
  });

  it('keeps index axes on whole numbers', () => {
    const receivers = { label: 'Receiver', step: 1, origin: 0 };
    expect(axisTicks(receivers, 3.2, 5.9, 10).map((t) => t.value)).toEqual([3, 4, 5]);
  });
});
