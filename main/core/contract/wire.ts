/**
 * Messages of the browser shell's WebSocket (`/api`), the transport twin of Electron's IPC.
 * Renderer-safe: depends on nothing but zod.
 */
import { z } from 'zod';

export const callMessageSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  args: z.unknown(),
});
export type CallMessage = z.infer<typeof callMessageSchema>;

export type ResultMessage =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: { code: string; message: string } };

export type EventMessage = { type: 'event'; event: string; payload: unknown };

export type ServerMessage = ResultMessage | EventMessage;

/** Electron IPC channel names used by preload and the Electron shell. */
export const ipcChannels = {
  call: 'studio:call',
  event: 'studio:event',
} as const;

/** Query parameter and cookie that carry the browser shell's session token. */
export const sessionTokenParam = 'token';
export const sessionCookieName = 'wavediff_session';
export const apiSocketPath = '/api';

/** Largest API message the browser shell accepts, in bytes, over one frame or many fragments (RFC 6455 close 1009 above it). */
export const maxApiMessageBytes = 16 * 1024 * 1024;
/** Deepest nesting of arrays and objects in an API message; every method's arguments stay far below it. */
export const maxApiJsonDepth = 64;

/**
 * Where UTF-8 JSON text first nests arrays or objects deeper than `limit`: the byte offset of the
 * bracket that goes too deep, or -1. One linear pass over the bytes (brackets inside strings do not
 * count; UTF-8 continuation bytes are never ASCII), so a hostile message is refused before
 * JSON.parse builds it. Malformed JSON is left to JSON.parse.
 */
export function jsonDepthExceededAt(utf8: Uint8Array, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < utf8.length; i += 1) {
    const byte = utf8[i]!;
    if (inString) {
      if (byte === 0x5c /* \ */) i += 1;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b /* [ */ || byte === 0x7b /* { */) {
      depth += 1;
      if (depth > limit) return i;
    } else if (byte === 0x5d /* ] */ || byte === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return -1;
}

const isJsonSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;
const isHexDigit = (byte: number | undefined): boolean => isDigit(byte) || (byte !== undefined && ((byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)));

/**
 * Where UTF-8 text stops being JSON (RFC 8259 §2–7): the byte offset of the first byte that cannot
 * continue it — the length when the text ends too early — or -1 when it is JSON. JSON.parse's own
 * messages give a position only for some errors, and in UTF-16 code units; this gives bytes, for
 * every error. Iterative (no stack to overflow); bytes of multi-byte characters are taken as they are,
 * as the text was already checked as UTF-8.
 */
export function jsonSyntaxErrorAt(utf8: Uint8Array): number {
  const n = utf8.length;
  let i = 0;
  const skipSpace = () => {
    while (isJsonSpace(utf8[i])) i += 1;
  };
  /** A string at `i`; returns false with `i` at the offending byte. */
  const string = (): boolean => {
    if (utf8[i] !== 0x22) return false;
    i += 1;
    while (i < n) {
      const byte = utf8[i]!;
      if (byte === 0x22) {
        i += 1;
        return true;
      }
      if (byte < 0x20) return false;
      if (byte === 0x5c) {
        const escape = utf8[i + 1];
        if (escape === 0x75 /* u */) {
          for (let k = 2; k < 6; k += 1) {
            if (!isHexDigit(utf8[i + k])) {
              i += k;
              return false;
            }
          }
          i += 6;
        } else if (escape !== undefined && [0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(escape)) {
          i += 2;
        } else {
          i += 1;
          return false;
        }
      } else {
        i += 1;
      }
    }
    return false;
  };
  const digits = (): boolean => {
    if (!isDigit(utf8[i])) return false;
    while (isDigit(utf8[i])) i += 1;
    return true;
  };
  const number = (): boolean => {
    if (utf8[i] === 0x2d) i += 1;
    if (utf8[i] === 0x30) i += 1;
    else if (!digits()) return false;
    if (utf8[i] === 0x2e) {
      i += 1;
      if (!digits()) return false;
    }
    if (utf8[i] === 0x65 || utf8[i] === 0x45) {
      i += 1;
      if (utf8[i] === 0x2b || utf8[i] === 0x2d) i += 1;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k += 1, i += 1) if (utf8[i] !== word.charCodeAt(k)) return false;
    return true;
  };
  /** A key and its colon, after which a value follows. */
  const key = (): boolean => {
    if (!string()) return false;
    skipSpace();
    if (utf8[i] !== 0x3a) return false;
    i += 1;
    return true;
  };
  const open: number[] = [];
  const at = () => Math.min(i, n);
  skipSpace();
  for (;;) {
    // A value starts at i.
    skipSpace();
    const byte = utf8[i];
    let scalar = true;
    if (byte === 0x7b || byte === 0x5b) {
      i += 1;
      skipSpace();
      if (utf8[i] === (byte === 0x7b ? 0x7d : 0x5d)) i += 1;
      else {
        open.push(byte);
        if (byte === 0x7b && !key()) return at();
        scalar = false;
      }
    } else if (byte === 0x22) {
      if (!string()) return at();
    } else if (byte === 0x2d || isDigit(byte)) {
      if (!number()) return at();
    } else if (byte === 0x74 || byte === 0x66 || byte === 0x6e) {
      if (!literal(byte === 0x74 ? 'true' : byte === 0x66 ? 'false' : 'null')) return at();
    } else {
      return at();
    }
    if (!scalar) continue;
    // After a value: a comma and the next value, the end of containers, or the end of the text.
    for (;;) {
      skipSpace();
      const container = open[open.length - 1];
      if (container === undefined) return i < n ? i : -1;
      if (utf8[i] === 0x2c) {
        i += 1;
        skipSpace();
        if (container === 0x7b && !key()) return at();
        break;
      }
      if (utf8[i] !== (container === 0x7b ? 0x7d : 0x5d)) return at();
      i += 1;
      open.pop();
    }
  }
}
