/**
 * Saves a movie's frames as numbered PNG files (frame_0000.png, …) in a folder: the renderer encodes
 * each frame (a canvas's PNG), the core checks that each is a PNG and writes it atomically. No video
 * encoder ships with the studio (a GIF does: gifMovie.ts); ffmpeg turns the frames into an MP4
 * (`ffmpeg -framerate 10 -i frame_%04d.png -pix_fmt yuv420p movie.mp4`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../contract/errors.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';

const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function frameFileName(index: number): string {
  return `frame_${String(index).padStart(4, '0')}.png`;
}

/** Writes `pngs` as frames firstIndex, firstIndex + 1, … in `folder` (created if missing); returns the paths written. */
export function savePngFrames(folder: string, firstIndex: number, pngs: readonly Uint8Array[]): string[] {
  if (!path.isAbsolute(folder)) throw new StudioError('bad_input', `Frame folder '${folder}' must be an absolute path on the studio machine.`);
  if (fs.existsSync(folder) && !fs.statSync(folder).isDirectory()) throw new StudioError('bad_input', `${folder} is a file; choose a folder for the frames.`);
  pngs.forEach((png, k) => {
    if (png.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => png[i] !== b)) {
      throw new StudioError('bad_input', `Frame ${firstIndex + k} is not a PNG image (its first bytes are not the PNG signature); nothing of it was written.`);
    }
  });
  fs.mkdirSync(folder, { recursive: true });
  return pngs.map((png, k) => {
    const file = path.join(folder, frameFileName(firstIndex + k));
    writeFileAtomic(file, png);
    return file;
  });
}
