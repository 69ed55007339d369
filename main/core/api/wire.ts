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
