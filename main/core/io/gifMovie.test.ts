import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missing } from '../util/testing/requirement.ts';
import { appendGifFrames, partialGifPath } from './gifMovie.ts';

const python = '/usr/bin/python3';
const decoder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'decode_gif.py');
const hasPillow = spawnSync(python, ['-c', 'import PIL']).status === 0;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wavediff-gif-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface DecodedGif {
  format: string;
  width: number;
  height: number;
  frames: number;
  loop: number | null;
  durations: number[];
  rgb: string;
}

/** Pillow's reading of a GIF. */
function decodeGif(file: string): DecodedGif & { pixels: Buffer } {
  const decoded = JSON.parse(execFileSync(python, [decoder, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as DecodedGif;
  return { ...decoded, pixels: Buffer.from(decoded.rgb, 'base64') };
}

const width = 40;
const height = 30;

/** Frame f: four flat quadrants whose colours change with f (few colours: each palette holds them exactly). */
function blockFrame(f: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const colours = [
    [20 * f, 40, 200],
    [250, 10 + 30 * f, 0],
    [0, 128, 64 + 20 * f],
    [255, 255, 255 - 40 * f],
  ];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
      rgba.set([c[0], c[1], c[2], 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

/** A smooth two-way gradient: 1200 colours, more than a GIF palette holds. */
function gradientFrame(): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgba.set([Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), 128, 255], (y * width + x) * 4);
  return rgba;
}

/** RGB of RGBA frames, as Pillow returns them. */
function rgbOf(frames: Uint8Array[]): Buffer {
  const out = Buffer.alloc(frames.length * width * height * 3);
  frames.forEach((rgba, f) => {
    for (let p = 0; p < width * height; p++) out.set(rgba.subarray(p * 4, p * 4 + 3), (f * width * height + p) * 3);
  });
  return out;
}

describe('appendGifFrames', () => {
  it('refuses a relative path, a name without .gif, wrong frame sizes and a continuation without its start', () => {
    const batch = { firstIndex: 0, frameCount: 1, width, height, framesPerSecond: 10, rgbaFrames: [blockFrame(0)] };
    expect(() => appendGifFrames('movie.gif', batch)).toThrow(/absolute path/);
    expect(() => appendGifFrames(path.join(dir, 'movie.png'), batch)).toThrow(/ends in \.gif/);
    expect(() => appendGifFrames(path.join(dir, 'bad.gif'), { ...batch, rgbaFrames: [new Uint8Array(10)] })).toThrow(/Frame 0 holds 10 bytes; a 40 × 30 RGBA frame holds 4800/);
    expect(() => appendGifFrames(path.join(dir, 'bad.gif'), { ...batch, firstIndex: 3, frameCount: 4 })).toThrow(/export the movie again from its first frame/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe.skipIf(missing(`Pillow under ${python} (python3-pil)`, hasPillow))('the GIF as Pillow reads it', () => {
  it('holds every frame of batches sent in order, at their size and rate, looping, and appears only when complete', () => {
    const file = path.join(dir, 'movie', 'blocks.gif');
    const frames = [0, 1, 2, 3, 4].map(blockFrame);
    const first = appendGifFrames(file, { firstIndex: 0, frameCount: 5, width, height, framesPerSecond: 20, rgbaFrames: frames.slice(0, 2) });
    expect(first).toEqual({ file, framesWritten: 2, complete: false });
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(partialGifPath(file))).toBe(true);
    expect(appendGifFrames(file, { firstIndex: 2, frameCount: 5, width, height, framesPerSecond: 20, rgbaFrames: frames.slice(2) })).toEqual({ file, framesWritten: 5, complete: true });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['blocks.gif']);

    const gif = decodeGif(file);
    expect(gif).toMatchObject({ format: 'GIF', width, height, frames: 5, loop: 0, durations: [50, 50, 50, 50, 50] });
    // Few colours per frame: each frame's own palette holds them, so the pixels come back exactly.
    expect(gif.pixels.equals(rgbOf(frames))).toBe(true);
  });

  it('keeps a frame of more colours than a palette holds close to its pixels', () => {
    const file = path.join(dir, 'gradient.gif');
    const frames = [gradientFrame(), blockFrame(1)];
    appendGifFrames(file, { firstIndex: 0, frameCount: 2, width, height, framesPerSecond: 10, rgbaFrames: frames });
    const gif = decodeGif(file);
    expect(gif).toMatchObject({ frames: 2, durations: [100, 100] });
    const expected = rgbOf(frames);
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(gif.pixels[i] - expected[i]);
      worst = Math.max(worst, d);
      sum += d;
    }
    // 256 colours for a 1200-colour gradient: channel steps of about 255 / √256 ≈ 16 at worst.
    expect(worst).toBeLessThanOrEqual(24);
    expect(sum / expected.length).toBeLessThan(4);
    expect(gif.pixels.subarray(width * height * 3).equals(expected.subarray(width * height * 3))).toBe(true);
  });
});
