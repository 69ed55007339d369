/**
 * Writes a movie as an animated GIF (GIF89a, looping) with gifenc: the renderer draws each frame as
 * it draws the PNG frames (same colour maps, caption and acquisition marks) and sends its RGBA
 * pixels in batches, in order. Each frame gets its own 256-colour palette (gifenc's PnnQuant
 * quantiser); a batch is appended to a hidden partial sibling, which the last batch completes and
 * renames to the GIF, so the GIF appears only when whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as gifencModule from 'gifenc';
import { StudioError } from '../contract/errors.ts';
import { writeFailure } from '../util/atomicFile.ts';

// gifenc is CommonJS marked __esModule: Node hands its exports to the namespace's default, Vite and
// esbuild hand them over as named exports.
const gifenc = 'GIFEncoder' in gifencModule ? (gifencModule as unknown as typeof gifencModule.default) : gifencModule.default;

export interface GifFrameBatch {
  /** Index of the batch's first frame in the movie; 0 starts the GIF afresh. */
  firstIndex: number;
  /** Frames of the whole movie: the batch holding the last one completes the GIF. */
  frameCount: number;
  width: number;
  height: number;
  framesPerSecond: number;
  /** RGBA [height, width, 4] per frame, row-major from the top left. */
  rgbaFrames: readonly Uint8Array[];
}

export function partialGifPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.partial`);
}

/** Appends a batch of frames to `file`'s GIF; returns how many frames it holds and whether it is complete (and in place). */
export function appendGifFrames(file: string, batch: GifFrameBatch): { file: string; framesWritten: number; complete: boolean } {
  const { firstIndex, frameCount, width, height, framesPerSecond, rgbaFrames } = batch;
  if (!path.isAbsolute(file)) throw new StudioError('bad_input', `GIF file '${file}' must be an absolute path on the studio machine.`);
  if (!/\.gif$/i.test(file)) throw new StudioError('bad_input', `${file}: a GIF file's name ends in .gif; choose a name such as movie.gif.`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new StudioError('bad_input', `${file} is a folder; choose a file name for the GIF.`);
  const last = firstIndex + rgbaFrames.length;
  if (last > frameCount) throw new StudioError('bad_input', `Frames ${firstIndex}–${last - 1} run past the movie's ${frameCount} frames.`);
  const frameBytes = width * height * 4;
  rgbaFrames.forEach((rgba, k) => {
    if (rgba.length !== frameBytes) {
      throw new StudioError('bad_input', `Frame ${firstIndex + k} holds ${rgba.length} bytes; a ${width} × ${height} RGBA frame holds ${frameBytes}. Nothing of this batch was written.`);
    }
  });
  const partial = partialGifPath(file);
  if (firstIndex > 0 && !fs.existsSync(partial)) {
    throw new StudioError('bad_input', `${file}: frame ${firstIndex} continues a GIF that was not started (no ${path.basename(partial)}); export the movie again from its first frame.`);
  }

  const encoder = gifenc.GIFEncoder({ auto: false, initialCapacity: frameBytes });
  if (firstIndex === 0) encoder.writeHeader();
  rgbaFrames.forEach((rgba, k) => {
    const palette = gifenc.quantize(rgba, 256);
    const index = gifenc.applyPalette(rgba, palette);
    // GIF stores delays in hundredths of a second; repeat 0 loops for ever.
    encoder.writeFrame(index, width, height, { palette, first: firstIndex + k === 0, delay: 1000 / framesPerSecond, repeat: 0 });
  });
  const complete = last === frameCount;
  if (complete) encoder.finish();

  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (firstIndex === 0) fs.writeFileSync(partial, encoder.bytesView());
    else fs.appendFileSync(partial, encoder.bytesView());
    if (complete) {
      const fd = fs.openSync(partial, 'r+');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(partial, file);
    }
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw writeFailure(error, file);
  }
  return { file, framesWritten: last, complete };
}
