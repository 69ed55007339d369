/**
 * Textual headers: EBCDIC (code page 037, the usual SEG-Y choice) or ASCII, 40 lines of 80
 * characters per 3200-byte header.
 */

/** Unicode code point of each EBCDIC byte (IBM code page 037). */
// prettier-ignore
const EBCDIC_TO_UNICODE: readonly number[] = [
  0, 1, 2, 3, 156, 9, 134, 127, 151, 141, 142, 11, 12, 13, 14, 15, 16, 17, 18, 19, 157, 133, 8, 135,
  24, 25, 146, 143, 28, 29, 30, 31, 128, 129, 130, 131, 132, 10, 23, 27, 136, 137, 138, 139, 140, 5,
  6, 7, 144, 145, 22, 147, 148, 149, 150, 4, 152, 153, 154, 155, 20, 21, 158, 26, 32, 160, 226, 228,
  224, 225, 227, 229, 231, 241, 162, 46, 60, 40, 43, 124, 38, 233, 234, 235, 232, 237, 238, 239, 236,
  223, 33, 36, 42, 41, 59, 172, 45, 47, 194, 196, 192, 193, 195, 197, 199, 209, 166, 44, 37, 95, 62,
  63, 248, 201, 202, 203, 200, 205, 206, 207, 204, 96, 58, 35, 64, 39, 61, 34, 216, 97, 98, 99, 100,
  101, 102, 103, 104, 105, 171, 187, 240, 253, 254, 177, 176, 106, 107, 108, 109, 110, 111, 112, 113,
  114, 170, 186, 230, 184, 198, 164, 181, 126, 115, 116, 117, 118, 119, 120, 121, 122, 161, 191, 208,
  221, 222, 174, 94, 163, 165, 183, 169, 167, 182, 188, 189, 190, 91, 93, 175, 168, 180, 215, 123, 65,
  66, 67, 68, 69, 70, 71, 72, 73, 173, 244, 246, 242, 243, 245, 125, 74, 75, 76, 77, 78, 79, 80, 81,
  82, 185, 251, 252, 249, 250, 255, 92, 247, 83, 84, 85, 86, 87, 88, 89, 90, 178, 212, 214, 210, 211,
  213, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 179, 219, 220, 217, 218, 159
];

const UNICODE_TO_EBCDIC = new Map<number, number>(EBCDIC_TO_UNICODE.map((codePoint, byte) => [codePoint, byte]));

export type TextEncoding = 'ebcdic' | 'ascii';

const EBCDIC_SPACE = 0x40;
const ASCII_SPACE = 0x20;

/**
 * Guesses the encoding of a textual header. EBCDIC letters and digits all sit at 0x81-0xF9,
 * outside 7-bit ASCII, while ASCII letters and digits sit at 0x30-0x7A; whichever family holds
 * more bytes wins. A header without either (blank or zero-filled) is EBCDIC when it holds more
 * EBCDIC spaces (0x40) than ASCII spaces, else ASCII.
 */
export function detectTextEncoding(bytes: Uint8Array): TextEncoding {
  let ebcdicAlnum = 0;
  let asciiAlnum = 0;
  let ebcdicSpaces = 0;
  let asciiSpaces = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === EBCDIC_SPACE) ebcdicSpaces++;
    else if (b === ASCII_SPACE) asciiSpaces++;
    if ((b >= 0x81 && b <= 0xa9) || (b >= 0xc1 && b <= 0xe9) || (b >= 0xf0 && b <= 0xf9)) ebcdicAlnum++;
    else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) asciiAlnum++;
  }
  if (ebcdicAlnum !== asciiAlnum) return ebcdicAlnum > asciiAlnum ? 'ebcdic' : 'ascii';
  return ebcdicSpaces > asciiSpaces ? 'ebcdic' : 'ascii';
}

/** Decodes header bytes to a string of the same length (one character per byte). */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    text += String.fromCharCode(encoding === 'ebcdic' ? EBCDIC_TO_UNICODE[bytes[i]] : bytes[i]);
  }
  return text;
}

/**
 * Encodes text into exactly `byteLength` bytes: characters without a code in the target
 * encoding become '?', the rest is padded with spaces.
 */
export function encodeText(text: string, encoding: TextEncoding, byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength).fill(encoding === 'ebcdic' ? EBCDIC_SPACE : ASCII_SPACE);
  const n = Math.min(text.length, byteLength);
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (encoding === 'ebcdic') out[i] = UNICODE_TO_EBCDIC.get(code) ?? UNICODE_TO_EBCDIC.get(0x3f)!;
    else out[i] = code < 0x80 ? code : 0x3f;
  }
  return out;
}

/** Splits a decoded 3200-character header into its 40 lines of 80 characters. */
export function textLines(text: string): string[] {
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += 80) lines.push(text.slice(at, at + 80));
  return lines;
}

/**
 * Builds a 3200-character textual header from up to 40 lines. Lines without a card prefix get
 * one ("C 1 ", …, "C40 "); lines longer than 80 characters are cut. When the caller leaves
 * them free, lines 39 and 40 carry rev 2's "SEG-Y_REV2.0" and "END TEXTUAL HEADER" markers.
 */
export function composeTextHeader(lines: readonly string[]): string {
  if (lines.length > 40) throw new RangeError(`A textual header holds 40 lines; got ${lines.length}.`);
  const cards: string[] = [];
  for (let i = 0; i < 40; i++) {
    const number = String(i + 1).padStart(2, ' ');
    let line = lines[i];
    if (line === undefined) {
      if (i === 38) line = 'SEG-Y_REV2.0';
      else if (i === 39) line = 'END TEXTUAL HEADER';
      else line = '';
    }
    const prefixed = /^C[ 0-9][0-9]/.test(line) ? line : `C${number} ${line}`;
    cards.push(prefixed.slice(0, 80).padEnd(80, ' '));
  }
  return cards.join('');
}

/**
 * True when an extended textual header holds the ((SEG: EndText)) stanza that ends a
 * variable-length run (binary header 3505-3506 = -1). Spacing and case vary in practice, so
 * both are ignored.
 */
export function isEndTextStanza(text: string): boolean {
  return text.slice(0, 80).replace(/\s+/g, '').toLowerCase().startsWith('((seg:endtext))');
}
