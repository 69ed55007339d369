/**
 * A small seedable PRNG: xoshiro128** (Blackman & Vigna) on 32-bit integer arithmetic, seeded
 * through splitmix32. Everything is `Math.imul`, shifts and `>>> 0`, so the same seed gives the same
 * sequence on every platform and JavaScript engine. `normal()` uses Box–Muller (`Math.log`,
 * `Math.sqrt`, `Math.cos`); V8 computes those with its own fdlibm port, identical across platforms.
 */

/** splitmix32 step: a well-mixed 32-bit value from a 32-bit state (used for seeding and hashing). */
function splitmix32(state: number): { value: number; state: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  z = (z ^ (z >>> 15)) >>> 0;
  return { value: z, state: next };
}

/**
 * Folds any number of integer keys (seed, sample index, a stream name's code) into one 32-bit seed.
 * Keys up to 2^53 are split into their high and low 32-bit words, so large seeds stay distinct.
 */
export function mixSeed(...keys: number[]): number {
  let state = 0x6a09e667;
  for (const key of keys) {
    if (!Number.isSafeInteger(key)) throw new RangeError(`mixSeed: ${key} is not a safe integer`);
    const magnitude = Math.abs(key);
    const low = magnitude >>> 0;
    const high = Math.floor(magnitude / 0x1_0000_0000) >>> 0;
    for (const word of [low, high, key < 0 ? 1 : 0]) {
      state = splitmix32((state ^ word) >>> 0).value;
    }
  }
  return state;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  /** `seed`: any safe integer; the generator's state is filled from it by splitmix32. */
  constructor(seed: number) {
    let state = mixSeed(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const step = splitmix32(state);
      state = step.state;
      words.push(step.value);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1; // the all-zero state is a fixed point
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
  }

  /** A generator with xoshiro128**'s raw state (not all zero); for checking against the published reference. */
  static fromState(state: readonly [number, number, number, number]): Random {
    if (state.every((word) => word >>> 0 === 0)) throw new RangeError('Random.fromState: the all-zero state is not allowed');
    const rng = new Random(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((word) => word >>> 0) as [number, number, number, number];
    rng.spareNormal = undefined;
    return rng;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform in [min, max). */
  uniformIn(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  /** Uniform integer in [min, max], both included. */
  integer(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`Random.integer: bad range [${min}, ${max}]`);
    }
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** An index drawn with probability proportional to `weights[i]` (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let target = this.uniform() * total;
    for (let i = 0; i < weights.length; i += 1) {
      target -= weights[i];
      if (target < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (mean 0, standard deviation 1) by Box–Muller; pairs are used in turn. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
