/**
 * The browser shell's HTTP side: raw requests (pages, assets, wrong methods and hosts, bad targets and
 * encodings, bodies, pipelining, WebSocket upgrades) sent on one connection that is then half-closed.
 * Property: the server answers without a 5xx, closes the connection (a hang otherwise), and the next
 * client is served.
 */
import fs from 'node:fs';
import type { FieldSpot } from '../mutate.ts';
import type { Violation } from '../property.ts';
import { FUZZ_TOKEN, RawConnection, responseStatuses, stillServing, withHost } from '../serverHarness.ts';
import type { Seed, Target } from './target.ts';

const H = '$HOST';
const upgradeHeaders = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n`;

export const HTTP_SEED_REQUESTS: Record<string, string> = {
  'page with token': `GET /?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\nConnection: close\r\n\r\n`,
  'asset with cookie': `GET /assets/app.js HTTP/1.1\r\nHost: ${H}\r\nCookie: other=1; wavediff_session=${FUZZ_TOKEN}\r\n\r\n`,
  'HEAD': `HEAD /index.html?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'POST with a body': `POST /?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`,
  'chunked body': `PUT / HTTP/1.1\r\nHost: ${H}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  'foreign host': `GET /?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: evil.example:80\r\n\r\n`,
  'no token': `GET /index.html HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'path traversal': `GET /../../../etc/passwd?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'encoded traversal': `GET /%2e%2e/%2e%2e/etc/passwd?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'missing asset': `GET /assets/nothing.js?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'folder': `GET /assets/?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'pipelined': `GET /?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\nGET /assets/app.js HTTP/1.1\r\nHost: ${H}\r\nCookie: wavediff_session=${FUZZ_TOKEN}\r\n\r\n`,
  'HTTP/1.0 without Host': `GET / HTTP/1.0\r\n\r\n`,
  'absolute-form target': `GET http://${H}/?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
  'WebSocket upgrade': `GET /api?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\nOrigin: http://${H}\r\n${upgradeHeaders}\r\n`,
  'WebSocket upgrade, foreign origin': `GET /api?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\nOrigin: http://evil.example\r\n${upgradeHeaders}\r\n`,
  'WebSocket upgrade, wrong path': `GET /other?token=${FUZZ_TOKEN} HTTP/1.1\r\nHost: ${H}\r\nOrigin: http://${H}\r\n${upgradeHeaders}\r\n`,
};

/** Where the request line's parts and each header value lie, for splicing numbers and tokens. */
function httpFields(input: Buffer): FieldSpot[] {
  const text = input.toString('latin1');
  const spots: FieldSpot[] = [];
  const requestLine = /^(\S*) (\S*) (\S*)/.exec(text);
  if (requestLine) {
    spots.push({ offset: 0, size: requestLine[1]!.length, kind: 'text', name: 'method' });
    spots.push({ offset: requestLine[1]!.length + 1, size: requestLine[2]!.length, kind: 'text', name: 'request target' });
  }
  for (const match of text.matchAll(/\r\n([!-9;-~]+): ([^\r\n]*)/g)) {
    spots.push({ offset: match.index! + 2 + match[1]!.length + 2, size: match[2]!.length, kind: 'text', name: `header ${match[1]}` });
  }
  return spots.slice(0, 64);
}

export const httpTarget: Target = {
  name: 'http',
  ext: 'http',
  allocationFactor: 16,
  grammar: {
    fields: httpFields,
    tokens: [
      '\r\n', '\r\n\r\n', '\n', ' ', ' HTTP/1.1', ' HTTP/1.0', ' HTTP/2.0', '%', '%00', '%E0%A4%A', '%ff', '%2e%2e/', '%2F', '//[', 'http://[', '../', '?', '#',
      `?token=${FUZZ_TOKEN}`, `Cookie: wavediff_session=${FUZZ_TOKEN}\r\n`, 'Upgrade: websocket\r\n', 'Connection: Upgrade\r\n', 'Connection: keep-alive\r\n',
      'Sec-WebSocket-Version: 13\r\n', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 99999999999\r\n',
      'Content-Length: -1\r\n', `Host: ${H}\r\n`, `Origin: http://${H}\r\n`, 'Expect: 100-continue\r\n', '\x00', '\xff', 'GET ', 'POST ', 'CONNECT ', 'OPTIONS * ',
      'ffffffff\r\n', '0\r\n\r\n',
    ],
    headerBytes: (input) => {
      const end = input.indexOf('\r\n\r\n');
      return end < 0 ? input.length : end + 4;
    },
  },
  async seeds() {
    return Object.entries(HTTP_SEED_REQUESTS).map(([name, text]): Seed => ({ name: `built ${name}`, bytes: Buffer.from(text, 'latin1') }));
  },
  async run(inputPath, context) {
    const harness = await context.server();
    const violations: Violation[] = [];
    const connection = await RawConnection.open(harness.port);
    const response = await connection.sendAndFinish(withHost(fs.readFileSync(inputPath), harness.host));
    for (const status of responseStatuses(response)) {
      if (status >= 500) violations.push({ kind: 'crash', step: 'request', reason: `the server answered ${status}: ${JSON.stringify(response.toString('latin1').slice(0, 300))}` });
    }
    const problem = await stillServing(harness);
    if (problem) violations.push({ kind: 'crash', step: 'next client', reason: problem });
    return violations;
  },
};
