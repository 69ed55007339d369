import { describe, it, expect } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { findBoundaryViolations } from '../../scripts/check-boundaries.mjs';

describe('layer boundaries', () => {
  it('the core imports no electron and no shell; renderer and preload use only the contract', () => {
    expect(findBoundaryViolations()).toEqual([]);
  });
});
