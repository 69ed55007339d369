/** One unmasked server WebSocket frame at the start of `bytes` (RFC 6455 §5.2), or null when it has not fully arrived. */
export function parseServerFrame(bytes: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | null {
  if (bytes.length < 2) return null;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  if (bytes.length < offset + length) return null;
  return { fin: (bytes[0]! & 0x80) !== 0, opcode: bytes[0]! & 0x0f, payload: bytes.subarray(offset, offset + length), size: offset + length };
}
