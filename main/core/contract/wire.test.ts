import { describe, it, expect } from 'vitest';
import { jsonSyntaxErrorAt } from './wire.ts';

const at = (text: string) => jsonSyntaxErrorAt(Buffer.from(text, 'utf8'));

describe('jsonSyntaxErrorAt', () => {
  it('finds no error in JSON', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -0, 2.5e-3, "x\\u00e9\\n", true, false, null, {"b": []}]} ', '"\\ud800"', '0']) expect(at(text), text).toBe(-1);
  });

  it('points at the byte where the text stops being JSON, in bytes, also where JSON.parse gives no position', () => {
    expect(at('{"a":}')).toBe(5);
    expect(at('[1,]')).toBe(3);
    expect(at('{"a":tru}')).toBe(8);
    expect(at('{"a" 1}')).toBe(5);
    expect(at('[01]')).toBe(2);
    expect(at('"a\u0001"')).toBe(2);
    expect(at('{"é":1,,}')).toBe(8); // 'é' takes two bytes
    expect(at('1 2')).toBe(2);
  });

  it('gives the length when the text ends too early', () => {
    for (const text of ['', '{', '[1,2', '"abc', '{"type":"call","id":1,', 'nul', '-', '1e']) expect(at(text), text).toBe(Buffer.byteLength(text));
  });

  it('agrees with JSON.parse on which texts are JSON (random texts from JSON tokens)', () => {
    const tokens = ['{', '}', '[', ']', '"', ':', ',', '1', '0', '-', '.', 'e', '+', 'true', 'null', 'f', ' ', '\\', 'u', 'a', '\\u00e9', '\\n', 'é'];
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 20000; t++) {
      let text = '';
      for (let k = Math.floor(next() * 12); k >= 0; k--) text += tokens[Math.floor(next() * tokens.length)];
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(at(text) === -1, text).toBe(valid);
    }
  });
});
