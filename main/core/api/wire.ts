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
