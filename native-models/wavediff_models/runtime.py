"""Process plumbing shared by the entry points: JSON-lines messages on stdout, human logs on
stderr, device and thread selection, RNG state capture, atomic file writes."""
import json
import math
import os
import random
import sys
import tempfile
import time

import numpy as np
import torch


def log(message):
    """Human-readable line on stderr (stdout carries only JSON lines)."""
    sys.stderr.write(f'[wavediff_models {time.strftime("%H:%M:%S")}] {message}\n')
    sys.stderr.flush()


def _clean(value):
    """JSON-safe copy: non-finite floats become null (JSON has no NaN), tensors/arrays become lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, torch.Tensor):
        return _clean(value.tolist())
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


class Emitter:
    """Writes one JSON object per line to stdout and flushes, so the app sees each message at once."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def emit(self, type_, **fields):
        msg = {'type': type_}
        msg.update(fields)
        self.stream.write(json.dumps(_clean(msg), separators=(',', ':')) + '\n')
        self.stream.flush()


def select_device(choice):
    """auto: cuda when available, else cpu. cuda without a GPU is an error the user can act on."""
    if choice == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    if choice == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError('--device cuda: this PyTorch has no usable CUDA device; use --device cpu or auto')
    return torch.device(choice)


def set_threads(n):
    if n and n > 0:
        torch.set_num_threads(int(n))


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)


def rng_state():
    state = {'torch': torch.get_rng_state(), 'numpy': np.random.get_state(), 'python': random.getstate()}
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state):
    torch.set_rng_state(state['torch'])
    np.random.set_state(state['numpy'])
    random.setstate(state['python'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path, write):
    """Write through a temporary sibling, fsync, then os.replace: readers see the old or the new file."""
    directory = os.path.dirname(os.path.abspath(path)) or '.'
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_torch_save(obj, path):
    _atomic(path, lambda f: torch.save(obj, f))


def atomic_npy_save(array, path):
    _atomic(path, lambda f: np.save(f, np.ascontiguousarray(array, dtype=np.float32)))


def atomic_json_save(obj, path):
    _atomic(path, lambda f: f.write((json.dumps(_clean(obj), indent=2) + '\n').encode('utf-8')))


def torch_load(path, map_location='cpu'):
    """torch.load that accepts our checkpoints (which hold numpy RNG state) on PyTorch >= 2.6 too."""
    try:
        return torch.load(path, map_location=map_location, weights_only=False)
    except TypeError:  # PyTorch < 1.13.1 has no weights_only
        return torch.load(path, map_location=map_location)
