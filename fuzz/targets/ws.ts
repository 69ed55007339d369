/**
 * The browser shell's API socket: after a valid upgrade, the input's bytes are sent as client frames
 * (calls of read-only methods, bad arguments, fragments, control frames, bad lengths, deep nesting),
 * then the connection is half-closed. Property: every answer is a result whose error, if any, has a
 * known code other than 'internal' (a message that is not a call names the byte or the field), no close
 * frame says 1011 (internal error), the server closes the connection, and the next client is served.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { wsFrame, clientFrameSpots } from '../formats.ts';
import type { FieldSpot } from '../mutate.ts';
import { KNOWN_CODES, type Violation } from '../property.ts';
import { FUZZ_TOKEN, RawConnection, stillServing } from '../serverHarness.ts';
import { parseServerFrame } from '../../main/server/testing/wsFrames.ts';
import type { Seed, Target } from './target.ts';
import type { StudioErrorCode } from '../../main/core/contract/errors.ts';

const call = (id: number, method: string, args: unknown = {}) => JSON.stringify({ type: 'call', id, method, args });
const text = (payload: string, extra: { fin?: boolean; opcode?: number } = {}) => wsFrame({ opcode: extra.opcode ?? 0x1, fin: extra.fin, payload });

export const WS_SEED_FRAMES: Record<string, () => Buffer> = {
  'project.current': () => text(call(1, 'project.current')),
  'several read-only calls': () =>
    Buffer.concat([text(call(1, 'app.info')), text(call(2, 'settings.get')), text(call(3, 'project.recent')), text(call(4, 'dataset.list')), text(call(5, 'job.list'))]),
  'unknown method': () => text(call(7, 'no.such.method')),
  'bad arguments': () => text(call(8, 'dataset.get', { id: 'x' })),
  'not a call': () => text(JSON.stringify({ type: 'call', id: -3, method: 4 })),
  'not JSON': () => text('{"type":"call","id":1,'),
  'JSON but not an object': () => text('[1, 2, 3]'),
  'fragmented call': () => {
    const message = call(9, 'project.current');
    return Buffer.concat([text(message.slice(0, 10), { fin: false }), wsFrame({ opcode: 0x0, fin: false, payload: message.slice(10, 20) }), wsFrame({ opcode: 0x0, payload: message.slice(20) })]);
  },
  'ping between fragments': () => {
    const message = call(10, 'app.info');
    return Buffer.concat([text(message.slice(0, 8), { fin: false }), wsFrame({ opcode: 0x9, payload: 'ping' }), wsFrame({ opcode: 0x0, payload: message.slice(8) })]);
  },
  'binary call': () => wsFrame({ opcode: 0x2, payload: call(11, 'project.current') }),
  'masked with a key': () => wsFrame({ opcode: 0x1, payload: call(12, 'project.current'), maskKey: [0x37, 0xfa, 0x21, 0x3d] }),
  '16-bit length': () => text(call(13, 'project.current', { note: 'x'.repeat(300) })),
  '64-bit length': () => text(call(14, 'project.current', { note: 'y'.repeat(70000) })),
  'nested 200 deep': () => text(`{"type":"call","id":15,"method":"project.current","args":${'['.repeat(200)}${']'.repeat(200)}}`),
  'pong and close': () => Buffer.concat([wsFrame({ opcode: 0xa, payload: 'pong' }), wsFrame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) })]),
  'declared longer than sent': () => wsFrame({ opcode: 0x1, payload: '{}', declaredLength: 1000 }),
  'unmasked': () => wsFrame({ opcode: 0x1, payload: call(16, 'project.current'), masked: false }),
};

/** Frame header bytes and the numbers of JSON payloads. */
function wsFields(input: Buffer): FieldSpot[] {
  const spots: FieldSpot[] = [];
  for (const frame of clientFrameSpots(input)) {
    spots.push({ offset: frame.at, size: 1, kind: 'be', name: `frame@${frame.at} fin/opcode` });
    spots.push({ offset: frame.at + 1, size: 1, kind: 'be', name: `frame@${frame.at} mask/length` });
    if (frame.lengthSize > 1) spots.push({ offset: frame.lengthAt, size: frame.lengthSize, kind: 'be', name: `frame@${frame.at} extended length` });
    const payload = input.toString('latin1', frame.payloadAt, Math.min(input.length, frame.payloadAt + frame.payloadLength, frame.payloadAt + 4096));
    for (const match of payload.matchAll(/-?\d+|"[a-z.]+"/g)) spots.push({ offset: frame.payloadAt + match.index!, size: match[0].length, kind: 'text', name: `frame@${frame.at} payload ${match[0].slice(0, 20)}` });
  }
  return spots.filter((s) => s.offset < input.length).slice(0, 256);
}

/** Checks every frame the server sent after the handshake. */
function judgeServerFrames(bytes: Buffer, violations: Violation[]): void {
  let at = 0;
  for (let frame = parseServerFrame(bytes); frame; frame = parseServerFrame(bytes.subarray(at))) {
    at += frame.size;
    if (frame.opcode === 0x8) {
      const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
      if (code === 1011) violations.push({ kind: 'crash', step: 'close frame', reason: `the server closed with 1011 (internal error): ${frame.payload.subarray(2).toString('utf8')}` });
      continue;
    }
    if (frame.opcode !== 0x1) continue;
    let message: { type?: string; id?: number; ok?: boolean; error?: { code?: string; message?: string } };
    try {
      message = JSON.parse(frame.payload.toString('utf8'));
    } catch {
      violations.push({ kind: 'crash', step: 'answer', reason: `the server sent text that is not JSON: ${JSON.stringify(frame.payload.toString('utf8').slice(0, 200))}` });
      continue;
    }
    if (message.type !== 'result' || message.ok !== false) continue;
    const code = message.error?.code as StudioErrorCode | undefined;
    const said = message.error?.message ?? '';
    if (!code || !KNOWN_CODES.has(code) || code === 'internal') {
      violations.push({ kind: 'crash', step: 'answer', reason: `an answer with error code ${JSON.stringify(code)}: ${said}` });
    } else if (message.id === -1 && !/\bbyte \d+|\bfields?\b/.test(said)) {
      violations.push({ kind: 'unclear', step: 'answer', reason: `a refused message whose error names neither the byte nor the field: ${said}` });
    }
  }
}

export const wsTarget: Target = {
  name: 'ws',
  ext: 'ws',
  allocationFactor: 16,
  grammar: {
    fields: wsFields,
    tokens: [
      '{', '}', '[', ']', '"', ':', ',', '\\', '\\u0000', '\\ud800', 'null', 'true', '-1', '1e999', '0.5', '"__proto__"', '"constructor"',
      '"type":"call"', '"type":"result"', '"id":', '"method":"project.current"', '"method":"app.info"', '"method":"dataset.get"', '"args":{}', '"args":null',
      '\x00', '\xff', '\xc3\x28', '\xed\xa0\x80', '\x88\x80', '\x89\x80', '\x8a\x80', '\x81\xfe\xff\xff', '\x81\xff\x7f\xff\xff\xff\xff\xff\xff\xff',
    ],
    headerBytes: () => 14,
  },
  async seeds() {
    return Object.entries(WS_SEED_FRAMES).map(([name, frames]): Seed => ({ name: `built ${name}`, bytes: frames() }));
  },
  async run(inputPath, context) {
    const harness = await context.server();
    const violations: Violation[] = [];
    const connection = await RawConnection.open(harness.port);
    connection.socket.write(
      `GET /api?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${harness.host}\r\nOrigin: http://${harness.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const headerEnd = await connection.until((bytes) => {
      const end = bytes.indexOf('\r\n\r\n');
      return end < 0 ? null : end + 4;
    });
    if (headerEnd === null || !connection.received.toString('latin1').startsWith('HTTP/1.1 101 ')) {
      connection.socket.destroy();
      return [{ kind: 'crash', step: 'upgrade', reason: `a valid upgrade was refused: ${JSON.stringify(connection.received.toString('latin1').slice(0, 200))}` }];
    }
    const received = await connection.sendAndFinish(fs.readFileSync(inputPath));
    judgeServerFrames(received.subarray(headerEnd), violations);
    const problem = await stillServing(harness);
    if (problem) violations.push({ kind: 'crash', step: 'next client', reason: problem });
    return violations;
  },
};
