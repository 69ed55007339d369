"""Forward-models velocity files with fd_torch, on a GPU when there is one:

    python3 -m wavediff_models.forward_torch --velocity V.npy [V2.npy ...] --out S.npy [S2.npy ...]
        [--geometry G.json] [--device auto|cpu|cuda] [--batch B] [--threads T] [--stop-after-s S]

V: float32 velocity in m/s, [N, 1, depth, width] (OpenFWI's model*.npy; [N, depth, width] too).
S: float32 seismic [N, sources, time, receivers], [N, 5, 1000, 70] with OpenFWI's geometry (the
default; --geometry takes the studio's geometry JSON). Each S is written to a temporary sibling and
renamed when complete. With --stop-after-s, files are modelled in the order given and a file is
started only while the projected end (at the rate so far) stays within S seconds; the first always is. The same numbers as `wavediff forward` (relative L2 ~1e-5, tests/test_fd_torch.py);
meant for velocity models from `wavediff synth --velocity-only` on a machine with a GPU."""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

from .fd_geometry import openfwi_geometry, recorded_samples
from .fd_torch import forward_model
from .runtime import log, select_device, set_threads


def _velocity_batches(path):
    """The memory-mapped velocity file as [N, depth, width]."""
    try:
        velocity = np.load(path, mmap_mode='r')
    except (OSError, ValueError) as e:
        raise ValueError(f'{path}: cannot read as .npy ({e}); expected float32 velocity [N, 1, depth, width]') from e
    if velocity.ndim == 4 and velocity.shape[1] == 1:
        return velocity[:, 0]
    if velocity.ndim == 3:
        return velocity
    raise ValueError(f'{path}: velocity shape {list(velocity.shape)} is not [N, 1, depth, width] or [N, depth, width]')


def forward_file(velocity_path, seismic_path, geometry, device, batch):
    """Seismic of every model in velocity_path into seismic_path, `batch` models at a time."""
    velocity = _velocity_batches(velocity_path)
    n, nz, nx = velocity.shape
    shape = (n, len(geometry['sources']), recorded_samples(geometry), len(geometry['receivers']))
    directory = os.path.dirname(os.path.abspath(seismic_path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(seismic_path) + '.', suffix='.tmp', dir=directory)
    os.close(fd)
    try:
        seismic = np.lib.format.open_memmap(tmp, mode='w+', dtype=np.float32, shape=shape)
        started = time.perf_counter()
        for start in range(0, n, batch):
            end = min(n, start + batch)
            seismic[start:end] = forward_model(np.asarray(velocity[start:end]), geometry, device).cpu().numpy()
            elapsed = time.perf_counter() - started
            log(f'{os.path.basename(seismic_path)}: {end}/{n} samples, {end / elapsed:.1f} samples/s')
        seismic.flush()
        del seismic
        os.replace(tmp, seismic_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return shape


def main(argv=None):
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.forward_torch',
                                description='Forward-model velocity .npy files into seismic with fd_torch.')
    p.add_argument('--velocity', nargs='+', required=True, help='velocity .npy files, m/s, [N, 1, depth, width]')
    p.add_argument('--out', nargs='+', required=True, help='seismic .npy to write, one per --velocity file')
    p.add_argument('--geometry', help="the studio's acquisition geometry JSON (default: OpenFWI's)")
    p.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto')
    # On a CPU one sample's buffers (5 x 314 x 314 float32, 2 MB each) stay in cache; batches of 4
    # ran 2.4x slower per cell (bench/fd_torch.py). A GPU needs many fields to fill its cores.
    p.add_argument('--batch', type=int, help='models stepped together (default 64 on CUDA, 1 on CPU)')
    p.add_argument('--threads', type=int, help='torch.set_num_threads on CPU')
    p.add_argument('--stop-after-s', type=float, help='skip the remaining files once the next would end after S seconds')
    args = p.parse_args(argv)
    if len(args.velocity) != len(args.out):
        p.error(f'{len(args.velocity)} --velocity files but {len(args.out)} --out files; give one output per input')
    if args.batch is not None and args.batch < 1:
        p.error(f'--batch {args.batch}: use a whole number >= 1')
    try:
        set_threads(args.threads)
        device = select_device(args.device)
        batch = args.batch or (64 if device.type == 'cuda' else 1)
        geometry = openfwi_geometry()
        if args.geometry:
            with open(args.geometry, 'r', encoding='utf-8') as f:
                geometry = json.load(f)
        started, modelled = time.perf_counter(), 0
        for i, (velocity_path, seismic_path) in enumerate(zip(args.velocity, args.out)):
            elapsed = time.perf_counter() - started
            if args.stop_after_s is not None and i > 0:
                projected = elapsed + len(_velocity_batches(velocity_path)) * elapsed / max(modelled, 1)
                if projected > args.stop_after_s:
                    log(f'time limit {args.stop_after_s:g} s: {len(args.velocity) - i} file(s) not modelled, '
                        f'from {velocity_path} on ({elapsed:.0f} s spent, this one would end at {projected:.0f} s)')
                    break
            shape = forward_file(velocity_path, seismic_path, geometry, device, batch)
            modelled += shape[0]
            log(f'wrote {seismic_path} {list(shape)} on {device}')
        return 0
    except KeyError as e:
        log(f'forward_torch failed: the geometry lacks the field {e}; see main/core/physics/acquisition.ts')
        return 1
    except (OSError, ValueError, RuntimeError) as e:  # GeometryError is a ValueError
        log(f'forward_torch failed: {e}')
        return 1


if __name__ == '__main__':
    sys.exit(main())
