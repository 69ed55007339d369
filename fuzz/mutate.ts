/**
 * Byte-level mutations of a seed input, reproducible from a number: the same (seed, target, iteration)
 * gives the same input on every machine. Each input stacks 1–5 mutations drawn from: bit flips, bytes
 * replaced by interesting values, integers written into the target's header fields at their offsets,
 * truncation, extension, chunk duplication and removal, splicing a header field from another seed,
 * and tokens of the target's grammar (npy dict literals, HTTP, JSON).
 */
import { createHash } from 'node:crypto';

/** xoshiro128** (Blackman & Vigna): small, fast, and the same sequence in every JS engine. */
export class Rng {
  private s: Uint32Array;

  constructor(seedText: string) {
    const digest = createHash('sha256').update(seedText).digest();
    this.s = new Uint32Array([digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)]);
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    if (n <= 1) return 0;
    return n <= 0x100000000 ? Math.floor((this.next() / 0x100000000) * n) : Math.floor(((this.next() * 0x100000000 + this.next()) / 2 ** 64) * n);
  }

  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A header field of an input: where it lies and how wide it is, for integer and splice mutations. */
export interface FieldSpot {
  offset: number;
  /** Bytes: 1, 2, 4 or 8 for binary fields; any length for a text field (the digits of a number, a header value). */
  size: number;
  /** Binary fields: the byte order the reader uses first. Text fields hold decimal digits or free text. */
  kind: 'be' | 'le' | 'text';
  name: string;
}

/** What a target tells the mutator about its inputs. */
export interface MutationGrammar {
  /** Header fields of this input (recomputed on each mutated input: offsets move when bytes are inserted). */
  fields(input: Buffer): FieldSpot[];
  /** Tokens of the format inserted or written over bytes (dict keys, HTTP header lines, JSON fragments). */
  tokens: readonly string[];
  /** The first bytes most mutations should hit (the headers); the rest is bulk data. */
  headerBytes(input: Buffer): number;
}

/** Integers that break parsers: zero, one, sign bits, type limits, and their neighbours. */
const INTERESTING_INTEGERS: readonly bigint[] = [
  0n, 1n, 2n, 3n, 4n, 7n, 8n, 16n, 32n, 64n, 100n, 127n, 128n, 255n, 256n, 512n, 1000n, 1024n, 3200n, 4096n,
  0x7ffen, 0x7fffn, 0x8000n, 0xfffen, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 0x100000000n,
  2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
  -1n, -2n, -128n, -129n, -32768n, -32769n, -(2n ** 31n), -(2n ** 63n),
];

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x0d, 0x30, 0x39, 0x2c, 0x28, 0x29, 0x27];

/** A text number: big, small, negative, non-integer, or exponent forms. */
const INTERESTING_NUMBER_TEXT = ['0', '1', '-1', '2', '255', '65535', '65536', '2147483647', '2147483648', '4294967296', '9007199254740993', '99999999999999999999', '1e9', '1.5', '-0', ''];

function writeInteger(bytes: Buffer, offset: number, size: number, littleEndian: boolean, value: bigint): void {
  const bits = BigInt(size * 8);
  let v = BigInt.asUintN(Number(bits), value);
  for (let i = 0; i < size; i++) {
    const at = littleEndian ? offset + i : offset + size - 1 - i;
    if (at >= 0 && at < bytes.length) bytes[at] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export interface MutatedInput {
  bytes: Buffer;
  /** One line per applied mutation, e.g. "int32 le 4294967295 at 8 (npy header_len)". */
  mutations: string[];
}

/**
 * Mutates `seed` with `rng`. `others` are the target's other seeds (for splicing). `maxBytes` caps the
 * size an extension may reach, so a run never writes huge inputs.
 */
export function mutate(seed: Buffer, others: readonly Buffer[], grammar: MutationGrammar, rng: Rng, maxBytes: number): MutatedInput {
  let bytes: Buffer = Buffer.from(seed);
  const mutations: string[] = [];
  const count = 1 + Math.min(4, Math.floor(-Math.log2(1 - rng.next() / 0x100000000)));
  for (let m = 0; m < count; m++) {
    const applied = mutateOnce(bytes, others, grammar, rng, maxBytes);
    bytes = applied.bytes;
    mutations.push(applied.description);
  }
  return { bytes, mutations };
}

/** A position, biased towards the header: half of all hits land in its first bytes. */
function position(bytes: Buffer, grammar: MutationGrammar, rng: Rng): number {
  if (bytes.length === 0) return 0;
  const header = Math.min(bytes.length, Math.max(1, grammar.headerBytes(bytes)));
  return rng.chance(0.5) ? rng.below(header) : rng.below(bytes.length);
}

function mutateOnce(input: Buffer, others: readonly Buffer[], grammar: MutationGrammar, rng: Rng, maxBytes: number): { bytes: Buffer; description: string } {
  const bytes = Buffer.from(input);
  const kind = rng.below(10);
  switch (kind) {
    case 0: {
      // Bit flips: one to four bits near each other.
      const at = position(bytes, grammar, rng);
      if (bytes.length === 0) break;
      const flips = 1 + rng.below(4);
      for (let i = 0; i < flips; i++) {
        const p = Math.min(bytes.length - 1, at + rng.below(4));
        bytes[p]! ^= 1 << rng.below(8);
      }
      return { bytes, description: `flip ${flips} bit(s) near byte ${at}` };
    }
    case 1: {
      if (bytes.length === 0) break;
      const at = position(bytes, grammar, rng);
      const value = rng.pick(INTERESTING_BYTES);
      bytes[at] = value;
      return { bytes, description: `byte ${at} = 0x${value.toString(16).padStart(2, '0')}` };
    }
    case 2:
    case 3: {
      // An interesting integer (or number text) written into one of the format's header fields.
      const fields = grammar.fields(bytes);
      if (fields.length === 0) break;
      const field = rng.pick(fields);
      if (field.kind === 'text') {
        const text = rng.chance(0.7) ? rng.pick(INTERESTING_NUMBER_TEXT) : rng.pick(grammar.tokens);
        const replaced = Buffer.concat([bytes.subarray(0, field.offset), Buffer.from(text, 'latin1'), bytes.subarray(field.offset + field.size)]);
        return { bytes: replaced, description: `${field.name} (text at ${field.offset}, ${field.size} bytes) = ${JSON.stringify(text)}` };
      }
      const value = rng.chance(0.15) ? BigInt(bytes.length + rng.below(5) - 2) : rng.pick(INTERESTING_INTEGERS);
      // Most writes in the file's order; some in the other, which is how byte-order bugs show.
      const littleEndian = rng.chance(0.8) ? field.kind === 'le' : field.kind !== 'le';
      writeInteger(bytes, field.offset, field.size, littleEndian, value);
      return { bytes, description: `${field.name} (int${field.size * 8} ${littleEndian ? 'le' : 'be'} at ${field.offset}) = ${value}` };
    }
    case 4: {
      if (bytes.length === 0) break;
      const fields = grammar.fields(bytes);
      // Cut at a field boundary half of the time: the reads that go past the end are the interesting ones.
      const at = fields.length && rng.chance(0.5) ? Math.min(bytes.length, (() => { const f = rng.pick(fields); return f.offset + rng.below(f.size + 1); })()) : rng.below(bytes.length);
      return { bytes: bytes.subarray(0, at), description: `truncate to ${at} bytes` };
    }
    case 5: {
      const room = Math.max(0, maxBytes - bytes.length);
      if (room === 0) break;
      const length = Math.min(room, 1 + rng.below(rng.chance(0.8) ? 64 : 4096));
      const filler = rng.below(3);
      const extra = filler === 0 ? Buffer.alloc(length) : filler === 1 ? Buffer.alloc(length, rng.pick(INTERESTING_BYTES)) : Buffer.from(Array.from({ length }, () => rng.below(256)));
      return { bytes: Buffer.concat([bytes, extra]), description: `extend by ${length} bytes (${['zeros', 'one value', 'random'][filler]})` };
    }
    case 6: {
      // Duplicate a chunk (a record, a trace, a frame) and insert it somewhere else.
      if (bytes.length === 0) break;
      const from = position(bytes, grammar, rng);
      const length = Math.min(bytes.length - from, 1 + rng.below(rng.chance(0.7) ? 64 : 1024), Math.max(0, maxBytes - bytes.length));
      if (length <= 0) break;
      const to = rng.below(bytes.length + 1);
      const chunk = Buffer.from(bytes.subarray(from, from + length));
      return { bytes: Buffer.concat([bytes.subarray(0, to), chunk, bytes.subarray(to)]), description: `duplicate ${length} bytes from ${from} at ${to}` };
    }
    case 7: {
      if (bytes.length === 0) break;
      const from = position(bytes, grammar, rng);
      const length = Math.min(bytes.length - from, 1 + rng.below(rng.chance(0.7) ? 16 : 1024));
      return { bytes: Buffer.concat([bytes.subarray(0, from), bytes.subarray(from + length)]), description: `remove ${length} bytes at ${from}` };
    }
    case 8: {
      // Splice a header field from another seed of the same format at the same field.
      if (others.length === 0) break;
      const donor = rng.pick(others);
      const fields = grammar.fields(bytes).filter((f) => f.kind !== 'text' && f.offset + f.size <= donor.length);
      if (fields.length === 0) {
        const at = position(bytes, grammar, rng);
        const length = Math.min(1 + rng.below(64), Math.max(0, donor.length - at));
        if (length <= 0 || at >= bytes.length) break;
        donor.copy(bytes, at, at, at + Math.min(length, bytes.length - at));
        return { bytes, description: `splice ${length} bytes at ${at} from another seed` };
      }
      const field = rng.pick(fields);
      donor.copy(bytes, field.offset, field.offset, field.offset + field.size);
      return { bytes, description: `splice ${field.name} (${field.size} bytes at ${field.offset}) from another seed` };
    }
    case 9: {
      if (grammar.tokens.length === 0) break;
      const token = Buffer.from(rng.pick(grammar.tokens), 'latin1');
      const at = position(bytes, grammar, rng);
      const overwrite = rng.chance(0.5);
      const repeat = rng.chance(0.1) ? 1 + rng.below(3000) : 1;
      const inserted = Buffer.concat(Array.from({ length: Math.min(repeat, Math.max(1, Math.floor((maxBytes - bytes.length) / Math.max(1, token.length)))) }, () => token));
      const tail = overwrite ? bytes.subarray(Math.min(bytes.length, at + inserted.length)) : bytes.subarray(at);
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), inserted, tail]),
        description: `${overwrite ? 'overwrite' : 'insert'} token ${JSON.stringify(token.toString('latin1'))}${repeat > 1 ? ` ×${inserted.length / token.length}` : ''} at ${at}`,
      };
    }
  }
  // The drawn mutation did not apply (empty input, no fields): flip a bit or add a byte instead.
  if (bytes.length === 0) return { bytes: Buffer.from([rng.below(256)]), description: 'append one random byte to an empty input' };
  const at = rng.below(bytes.length);
  bytes[at]! ^= 1 << rng.below(8);
  return { bytes, description: `flip a bit at byte ${at}` };
}
