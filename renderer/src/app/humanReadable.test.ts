import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatQuantity, formatRate, formatShape, progressFraction } from './humanReadable.ts';

describe('formatting', () => {
  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3600 + 7 * 60)).toBe('2 h 07 min');
    expect(formatDuration(3 * 86400 + 5 * 3600)).toBe('3 d 5 h');
  });

  it('formats rates, numbers, bytes and shapes', () => {
    expect(formatRate(12.5, 'samples')).toBe('12.5 samples/s');
    expect(formatRate(0.05, 'epochs')).toBe('3 epochs/min');
    expect(formatRate(0.04, 'epochs')).toBe('2.40 epochs/min');
    expect(formatRate(null, 'x')).toBe('—');
    expect(formatRate(139_485_193, 'bytes')).toBe('133 MiB/s');
    expect(formatQuantity(408_847_872, 'bytes')).toBe('390 MiB');
    expect(formatQuantity(12, 'samples')).toBe('12 samples');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(0.001234)).toBe('1.23e-3');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatShape([5, 1000, 70])).toBe('5 × 1000 × 70');
    expect(formatShape(null)).toBe('—');
  });

  it('gives progress fractions, null when the total is unknown', () => {
    expect(progressFraction({ done: 5, total: 10 })).toBe(0.5);
    expect(progressFraction({ done: 15, total: 10 })).toBe(1);
    expect(progressFraction({ done: 0, total: 0 })).toBeNull();
  });
});
