"""Decodes an animated GIF with Pillow, an independent decoder, for the GIF export's tests.
Usage: python3 decode_gif.py movie.gif [frames_folder]
Prints JSON: size, frame count, loop, per-frame durations (ms), the frames' RGB bytes [frames, height,
width, 3] in base64 and, given a folder of frame_NNNN.png files, the PNG frames' RGB bytes alike."""
import base64
import json
import os
import sys

from PIL import Image, ImageSequence


def rgb_frames(image):
    return b''.join(frame.convert('RGB').tobytes() for frame in ImageSequence.Iterator(image))


gif = Image.open(sys.argv[1])
out = {
    'format': gif.format,
    'width': gif.width,
    'height': gif.height,
    'frames': gif.n_frames,
    'loop': gif.info.get('loop'),
    'durations': [frame.info.get('duration') for frame in ImageSequence.Iterator(gif)],
    'rgb': base64.b64encode(rgb_frames(gif)).decode('ascii'),
}
if len(sys.argv) > 2:
    folder = sys.argv[2]
    names = sorted(n for n in os.listdir(folder) if n.startswith('frame_') and n.endswith('.png'))
    out['pngFrames'] = len(names)
    out['pngRgb'] = base64.b64encode(b''.join(Image.open(os.path.join(folder, n)).convert('RGB').tobytes() for n in names)).decode('ascii')
print(json.dumps(out))
