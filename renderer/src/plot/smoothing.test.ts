import { describe, expect, it } from 'vitest';
import { autoScale, emaSmooth } from './smoothing.ts';

describe('emaSmooth', () => {
  it('is the identity at weight 0 and keeps the first value (debiased)', () => {
    const points = [{ x: 1, y: 4 }, { x: 2, y: 2 }];
    expect(emaSmooth(points, 0)).toEqual(points);
    expect(emaSmooth(points, 0.9)[0].y).toBeCloseTo(4, 12);
  });

  it('follows the debiased recursion and skips gaps', () => {
    const w = 0.6;
    const out = emaSmooth([{ x: 1, y: 1 }, { x: 2, y: null }, { x: 3, y: 3 }, { x: 4, y: Number.NaN }, { x: 5, y: 5 }], w);
    // m1 = 0.4, m2 = 0.6·0.4 + 0.4·3 = 1.44, m3 = 0.6·1.44 + 0.4·5 = 2.864
    expect(out.map((p) => p.y)).toEqual([1, null, expect.closeTo(1.44 / (1 - w ** 2), 12), null, expect.closeTo(2.864 / (1 - w ** 3), 12)]);
  });

  it('flattens noise around a constant', () => {
    const noisy = Array.from({ length: 200 }, (_, i) => ({ x: i, y: 1 + (i % 2 === 0 ? 0.5 : -0.5) }));
    const tail = emaSmooth(noisy, 0.95).slice(100).map((p) => p.y!);
    expect(Math.max(...tail) - Math.min(...tail)).toBeLessThan(0.06);
  });
});

describe('autoScale', () => {
  it('is logarithmic for a positive series spanning decades and linear otherwise', () => {
    expect(autoScale([[{ x: 1, y: 1 }, { x: 2, y: 0.01 }]])).toBe('log');
    expect(autoScale([[{ x: 1, y: 0.5 }, { x: 2, y: 0.2 }]])).toBe('linear');
    expect(autoScale([[{ x: 1, y: 45 }], [{ x: 1, y: 0.3 }]])).toBe('log');
    expect(autoScale([[{ x: 1, y: -1 }, { x: 2, y: 100 }]])).toBe('linear');
    expect(autoScale([[{ x: 1, y: null }]])).toBe('linear');
  });
});
