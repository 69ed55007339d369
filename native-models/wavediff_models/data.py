"""OpenFWI-layout datasets: discovery of seismic/velocity .npy pairs, memory-mapped batches,
normalisation to [-1, 1] and resizing to the network's shapes.

Arrays on disk (OPENFWI.md):
  seismic  float32 [N, sources, time, receivers]  (data*.npy / seis*.npy)
  velocity float32 [N, 1, depth, width] in m/s    (model*.npy / vel*.npy)
  trace mask uint8 [N, sources, receivers], optional (data*.tracemask.npy, a pair list's "trace_mask"): 1 where a trace was
           recorded, 0 where it is zero padding of a shorter gather (the studio's SEG-Y import)
"""
import hashlib
import json
import math
import os
import re

import numpy as np
import torch
import torch.nn.functional as F

VELOCITY_MIN_MPS = 1500.0
VELOCITY_MAX_MPS = 4500.0

# Per-family raw seismic amplitude limits (OPENFWI.md); the log transform is applied to them.
SEISMIC_LIMITS = {
    'flatvel-a': (-26.95, 52.77),
    'flatvel-b': (-27.17, 56.05),
    'curvevel-a': (-27.11, 55.10),
    'curvevel-b': (-29.04, 57.03),
    'flatfault-a': (-26.10, 50.86),
    'flatfault-b': (-24.86, 50.28),
    'curvefault-a': (-26.48, 52.32),
    'curvefault-b': (-24.93, 50.98),
    'style-a': (-24.96, 48.93),
    'style-b': (-23.76, 46.01),
}
DEFAULT_FAMILY = 'flatvel-a'


class DataError(Exception):
    """A dataset that cannot be used; the message names the file and what to do."""


def signed_log1p(x):
    """sign(x) * log(1 + |x|), numpy or torch."""
    if isinstance(x, torch.Tensor):
        return torch.sign(x) * torch.log1p(torch.abs(x))
    return np.sign(x) * np.log1p(np.abs(x))


class Normalization:
    """velocity_norm = 2 (v - vmin) / (vmax - vmin) - 1
    seismic_norm  = 2 (L(s) - L(lo)) / (L(hi) - L(lo)) - 1,  L(x) = sign(x) log(1 + |x|)
    with lo/hi the raw amplitude limits of the family."""

    def __init__(self, seismic_limits=SEISMIC_LIMITS[DEFAULT_FAMILY], family=DEFAULT_FAMILY,
                 velocity_range_mps=(VELOCITY_MIN_MPS, VELOCITY_MAX_MPS)):
        lo, hi = float(seismic_limits[0]), float(seismic_limits[1])
        if not lo < 0 < hi:
            raise DataError(f'seismic limits {lo}/{hi}: expected lo < 0 < hi (raw amplitudes, e.g. -26.95/52.77)')
        self.family = family
        self.seismic_limits = (lo, hi)
        self.log_lo = float(signed_log1p(np.float64(lo)))
        self.log_hi = float(signed_log1p(np.float64(hi)))
        self.velocity_range_mps = (float(velocity_range_mps[0]), float(velocity_range_mps[1]))

    def seismic(self, s):
        return 2.0 * (signed_log1p(s) - self.log_lo) / (self.log_hi - self.log_lo) - 1.0

    def seismic_inverse(self, s_norm):
        """Normalised seismic back to raw amplitude: sign(y) (exp|y| - 1), y = log-domain value."""
        y = (s_norm + 1.0) * 0.5 * (self.log_hi - self.log_lo) + self.log_lo
        if isinstance(y, torch.Tensor):
            return torch.sign(y) * torch.expm1(torch.abs(y))
        return np.sign(y) * np.expm1(np.abs(y))

    def velocity(self, v_mps):
        vmin, vmax = self.velocity_range_mps
        return 2.0 * (v_mps - vmin) / (vmax - vmin) - 1.0

    def velocity_inverse(self, v_norm):
        vmin, vmax = self.velocity_range_mps
        return (v_norm + 1.0) * 0.5 * (vmax - vmin) + vmin

    def to_dict(self):
        vmin, vmax = self.velocity_range_mps
        return {
            'velocity': {'type': 'linear', 'min_mps': vmin, 'max_mps': vmax, 'range': [-1.0, 1.0],
                         'formula': '2*(v-min_mps)/(max_mps-min_mps)-1'},
            'seismic': {'type': 'signed_log1p_linear', 'family': self.family,
                        'raw_min': self.seismic_limits[0], 'raw_max': self.seismic_limits[1],
                        'log_min': self.log_lo, 'log_max': self.log_hi, 'range': [-1.0, 1.0],
                        'formula': 'L(x)=sign(x)*log1p(|x|); 2*(L(s)-log_min)/(log_max-log_min)-1'},
        }

    @classmethod
    def from_dict(cls, d):
        s = d['seismic']
        v = d['velocity']
        return cls((s['raw_min'], s['raw_max']), s.get('family'), (v['min_mps'], v['max_mps']))


def resize_area(x, size):
    """Average over each output cell's footprint (torch adaptive_avg_pool2d): output index i along
    an axis of length n_in -> n_out averages input rows floor(i n_in / n_out) .. ceil((i+1) n_in / n_out) - 1.
    Used for every downsampling (seismic time/receivers, velocity). x: [B, C, H, W]."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    if size[0] > x.shape[-2] or size[1] > x.shape[-1]:
        return F.interpolate(x, size=tuple(size), mode='bilinear', align_corners=False)
    return F.adaptive_avg_pool2d(x, tuple(size))


def resize_bilinear(x, size):
    """Bilinear, align_corners=False (half-pixel centres); used to bring network-resolution
    velocity back to the native grid."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode='bilinear', align_corners=False)


_PAIR_PATTERNS = (
    (re.compile(r'^data(.*)\.npy$'), 'model{}.npy'),
    (re.compile(r'^seis(.*)\.npy$'), 'vel{}.npy'),
)


# The trace mask of data<X>.npy in a folder: data<X>.tracemask.npy.
TRACE_MASK_SUFFIX = '.tracemask.npy'


def _natural_key(name):
    return [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', name)]


def discover_pairs(path):
    """A folder of OpenFWI pairs (data*.npy + model*.npy, or seis*.npy + vel*.npy, each seismic file with
    its trace mask <name>.tracemask.npy where there is one), or a JSON file
    {"pairs": [{"seismic": path, "velocity": path, "trace_mask": path?, "rows": [int, ...]?}, ...], "name": str?,
    "families": [str]?}; "rows" takes those samples of the files, in that order (a study's subsets without copies).
    Returns (pairs, description); a pair is (seismic, velocity, trace mask or None, rows or None)."""
    if os.path.isdir(path):
        names = sorted(os.listdir(path), key=_natural_key)
        pairs = []
        for name in names:
            if name.endswith(TRACE_MASK_SUFFIX):
                continue
            for pattern, partner in _PAIR_PATTERNS:
                m = pattern.match(name)
                if m:
                    vel = os.path.join(path, partner.format(m.group(1)))
                    if not os.path.exists(vel):
                        raise DataError(f'{os.path.join(path, name)}: no velocity file {os.path.basename(vel)} '
                                        f'beside it; every seismic file needs its velocity partner')
                    mask = os.path.join(path, name[:-len('.npy')] + TRACE_MASK_SUFFIX)
                    pairs.append((os.path.join(path, name), vel, mask if os.path.exists(mask) else None, None))
        if not pairs:
            raise DataError(f'{path}: no data*.npy/model*.npy or seis*.npy/vel*.npy pairs found; give a folder '
                            f'of OpenFWI-layout pairs or a JSON list of pairs')
        desc = {'source': os.path.abspath(path), 'name': os.path.basename(os.path.normpath(path))}
        record = os.path.join(path, 'synthesis.json')  # written by the studio's synthesis
        if os.path.isfile(record):
            try:
                with open(record, 'r', encoding='utf-8') as f:
                    synthesis = json.load(f)
                desc['families'] = [synthesis['family']]
                desc['synthesis'] = {k: synthesis.get(k) for k in ('family', 'seed', 'count', 'geometrySha256')}
            except (OSError, ValueError, KeyError) as e:
                raise DataError(f'{record}: unreadable synthesis record ({e}); fix or remove it') from e
        return pairs, desc
    if os.path.isfile(path) and path.endswith('.json'):
        with open(path, 'r', encoding='utf-8') as f:
            spec = json.load(f)
        base = os.path.dirname(os.path.abspath(path))
        pairs = []
        for i, item in enumerate(spec.get('pairs', [])):
            if 'seismic' not in item or 'velocity' not in item:
                raise DataError(f'{path}: pairs[{i}] needs "seismic" and "velocity" paths')
            mask = item.get('trace_mask')
            rows = item.get('rows')
            if rows is not None and (not isinstance(rows, list) or not rows
                                     or not all(isinstance(r, int) and not isinstance(r, bool) and r >= 0 for r in rows)):
                raise DataError(f'{path}: pairs[{i}].rows must be a non-empty list of sample indices (whole numbers ≥ 0)')
            pairs.append((os.path.join(base, item['seismic']), os.path.join(base, item['velocity']),
                          os.path.join(base, mask) if mask else None, rows))
        if not pairs:
            raise DataError(f'{path}: "pairs" is empty; list at least one {{"seismic","velocity"}} pair')
        desc = {'source': os.path.abspath(path), 'name': spec.get('name', os.path.basename(path))}
        if 'families' in spec:
            desc['families'] = list(spec['families'])
        return pairs, desc
    raise DataError(f'{path}: not a folder nor a .json pair list')


class _Rows:
    """Samples `rows` of a memory-mapped array [N, ...], in that order, without copying the file."""

    def __init__(self, array, rows):
        self.array = array
        self.rows = np.asarray(rows, dtype=np.int64)
        self.shape = (len(self.rows),) + tuple(array.shape[1:])
        self.dtype = array.dtype

    def __getitem__(self, index):
        return self.array[self.rows[index]]


class OpenFWIDataset:
    """Memory-mapped seismic/velocity pairs; index i runs over all samples of all files in order."""

    def __init__(self, path, require_velocity=True):
        self.pairs, self.description = discover_pairs(path)
        self.seismic_files = []
        self.velocity_files = []
        self.mask_files = []
        self.offsets = [0]
        seismic_shape = None
        velocity_shape = None
        for seis_path, vel_path, mask_path, rows in self.pairs:
            seis = self._open(seis_path, 4, 'seismic [N, sources, time, receivers]')
            mask = self._open_mask(mask_path, seis.shape) if mask_path else None
            vel = self._open(vel_path, 4, 'velocity [N, 1, depth, width]') if (
                require_velocity or os.path.exists(vel_path)) else None
            if rows is not None:
                if max(rows) >= seis.shape[0]:
                    raise DataError(f'{seis_path}: rows name sample {max(rows)} but the file holds {seis.shape[0]}')
                if vel is not None and vel.shape[0] != seis.shape[0]:
                    raise DataError(f'{vel_path}: {vel.shape[0]} samples but {seis_path} has {seis.shape[0]}; '
                                    f'pairs must hold the same samples')
                seis = _Rows(seis, rows)
                vel = _Rows(vel, rows) if vel is not None else None
                mask = np.asarray(mask[np.asarray(rows)]) if mask is not None else None
            self.mask_files.append(mask)
            if vel is not None:
                if vel.shape[1] != 1:
                    raise DataError(f'{vel_path}: shape {list(vel.shape)}, expected [N, 1, depth, width]')
                if vel.shape[0] != seis.shape[0]:
                    raise DataError(f'{vel_path}: {vel.shape[0]} samples but {seis_path} has {seis.shape[0]}; '
                                    f'pairs must hold the same samples')
                if velocity_shape is None:
                    velocity_shape = tuple(vel.shape[1:])
                elif tuple(vel.shape[1:]) != velocity_shape:
                    raise DataError(f'{vel_path}: sample shape {list(vel.shape[1:])} differs from '
                                    f'{list(velocity_shape)} of the first file; one dataset holds one geometry')
            if seismic_shape is None:
                seismic_shape = tuple(seis.shape[1:])
            elif tuple(seis.shape[1:]) != seismic_shape:
                raise DataError(f'{seis_path}: sample shape {list(seis.shape[1:])} differs from '
                                f'{list(seismic_shape)} of the first file; one dataset holds one geometry')
            self.seismic_files.append(seis)
            self.velocity_files.append(vel)
            self.offsets.append(self.offsets[-1] + seis.shape[0])
        self.seismic_shape = seismic_shape    # (sources, time, receivers)
        self.velocity_shape = velocity_shape  # (1, depth, width)
        self.description['N'] = len(self)
        self.description['files'] = [os.path.basename(s) for s, _, _, _ in self.pairs]
        self.padded_traces = sum(int(m.size - np.count_nonzero(m)) for m in self.mask_files if m is not None)
        if self.padded_traces:
            self.description['padded_traces'] = self.padded_traces
        self.description['seismic_shape'] = list(seismic_shape)
        self.description['velocity_shape'] = list(velocity_shape) if velocity_shape else None

    @staticmethod
    def _open(path, ndim, what):
        try:
            arr = np.load(path, mmap_mode='r')
        except (OSError, ValueError) as e:
            raise DataError(f'{path}: cannot read as .npy ({e}); expected float32 {what}') from e
        if arr.ndim != ndim:
            raise DataError(f'{path}: shape {list(arr.shape)}, expected float32 {what}')
        if arr.dtype != np.float32:
            raise DataError(f'{path}: dtype {arr.dtype}, expected float32 {what}')
        return arr

    @staticmethod
    def _open_mask(path, seismic_shape):
        what = 'trace mask [N, sources, receivers] (1 recorded, 0 padding)'
        try:
            mask = np.load(path, mmap_mode='r')
        except (OSError, ValueError) as e:
            raise DataError(f'{path}: cannot read as .npy ({e}); expected uint8 {what}') from e
        n, sources, _, receivers = seismic_shape
        if mask.dtype != np.uint8 or tuple(mask.shape) != (n, sources, receivers):
            raise DataError(f'{path}: {mask.dtype} {list(mask.shape)}, expected uint8 {what} = '
                            f'{[n, sources, receivers]} for its seismic')
        return mask

    def __len__(self):
        return self.offsets[-1]

    def _locate(self, indices):
        files = np.searchsorted(self.offsets, indices, side='right') - 1
        return files, np.asarray(indices) - np.asarray(self.offsets)[files]

    def _gather(self, arrays, indices):
        files, local = self._locate(indices)
        out = None
        for f in np.unique(files):
            sel = np.nonzero(files == f)[0]
            rows = local[sel]
            order = np.argsort(rows)  # ascending rows read the memory map sequentially
            block = np.asarray(arrays[f][rows[order]], dtype=np.float32)
            if out is None:
                out = np.empty((len(indices),) + block.shape[1:], dtype=np.float32)
            out[sel[order]] = block
        return out

    def seismic(self, indices):
        """Raw seismic float32 [len(indices), sources, time, receivers]."""
        return self._gather(self.seismic_files, indices)

    def trace_mask(self, indices):
        """float32 [len(indices), sources, receivers]: 1 for recorded traces, 0 for padding; None when
        the dataset records every trace."""
        if not self.padded_traces:
            return None
        sources, _, receivers = self.seismic_shape
        masks = [m if m is not None else np.ones((n, sources, receivers), dtype=np.uint8)
                 for m, n in zip(self.mask_files, np.diff(self.offsets))]
        return self._gather(masks, indices)

    def velocity(self, indices):
        """Velocity in m/s float32 [len(indices), 1, depth, width]."""
        if self.velocity_files[0] is None:
            raise DataError(f'{self.description["source"]}: no velocity files')
        return self._gather(self.velocity_files, indices)


def content_digest(dataset, indices, batch=16):
    """12 hex digits of sha256 over the samples' seismic and velocity as the dataset serves them: which
    set a held-out metric was measured on, so that a learning curve is not read across a change of set."""
    h = hashlib.sha256()
    for start in range(0, len(indices), batch):
        idx = indices[start:start + batch]
        h.update(np.ascontiguousarray(dataset.seismic(idx), dtype=np.float32).tobytes())
        h.update(np.ascontiguousarray(dataset.velocity(idx), dtype=np.float32).tobytes())
    return h.hexdigest()[:12]


class Preprocessor:
    """Raw arrays -> normalised, resized network tensors.
    seismic [B, sources, time, receivers] -> [B, sources, H_s, W_s] (normalise, then area-resize)
    velocity [B, 1, depth, width] m/s -> [B, 1, H_v, W_v] (normalise, then area-resize)."""

    def __init__(self, normalization, seismic_size=None, velocity_size=None):
        self.normalization = normalization
        self.seismic_size = tuple(seismic_size) if seismic_size else None
        self.velocity_size = tuple(velocity_size) if velocity_size else None

    def seismic(self, raw, device='cpu'):
        x = self.normalization.seismic(torch.from_numpy(raw).to(device))
        return resize_area(x, self.seismic_size) if self.seismic_size else x

    def velocity(self, raw_mps, device='cpu'):
        v = self.normalization.velocity(torch.from_numpy(raw_mps).to(device))
        return resize_area(v, self.velocity_size) if self.velocity_size else v

    def to_dict(self):
        return {
            'seismic': {'method': 'area', 'size': list(self.seismic_size) if self.seismic_size else None,
                        'order': 'normalise then resize'},
            'velocity': {'method': 'area', 'size': list(self.velocity_size) if self.velocity_size else None,
                         'order': 'normalise then resize',
                         'to_native': 'bilinear, align_corners=false'},
        }


def padded_traces(dataset, indices):
    """Traces of the samples `indices` that are zero padding (0 for a dataset without trace masks)."""
    if not getattr(dataset, 'padded_traces', 0):
        return 0
    indices = np.asarray(indices)
    return sum(int(np.count_nonzero(dataset.trace_mask(indices[i:i + 1024]) == 0)) for i in range(0, len(indices), 1024))


def split_indices(n, val_fraction, seed):
    """Fixed held-out split of n samples when no --val-data is given: the last ceil(n * fraction)
    of a seeded permutation (at least one sample, and at least one left for training)."""
    if n < 2:
        raise DataError(f'{n} sample(s): need at least 2 to hold one out, or pass --val-data')
    perm = np.random.RandomState(seed).permutation(n)
    n_val = min(n - 1, max(1, int(math.ceil(n * val_fraction))))
    return np.sort(perm[:n - n_val]), np.sort(perm[n - n_val:])


class BatchSampler:
    """Shuffled epochs over a fixed index set, driven by its own torch.Generator so that its
    state can be checkpointed and a resumed run draws the same batches."""

    def __init__(self, indices, batch_size, seed):
        self.indices = np.asarray(indices)
        self.batch_size = min(batch_size, len(self.indices))
        self.generator = torch.Generator()
        self.generator.manual_seed(seed)
        self.order = None
        self.position = 0

    def next(self):
        if self.order is None or self.position + self.batch_size > len(self.order):
            self.order = torch.randperm(len(self.indices), generator=self.generator).numpy()
            self.position = 0
        batch = self.indices[self.order[self.position:self.position + self.batch_size]]
        self.position += self.batch_size
        return batch

    def state_dict(self):
        return {'generator': self.generator.get_state(), 'order': self.order, 'position': self.position}

    def load_state_dict(self, state):
        """Restores the batch order; when the run continues on a training set of another size (a
        campaign resumed on another machine's data), the saved epoch order does not index it, so the
        next batch starts a new epoch from the restored generator."""
        self.generator.set_state(state['generator'])
        self.order = state['order']
        self.position = state['position']
        if self.order is not None and len(self.order) != len(self.indices):
            self.order = None
            self.position = 0
