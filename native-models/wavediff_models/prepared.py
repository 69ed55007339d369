"""A prepared training set: OpenFWI pairs normalised and resized once, stored as float16 so that a
training run reads network-ready tensors instead of redoing the log transform and the time
averaging every batch (≈ 175 KB a pair at 5 × 250 × 70 instead of 1.4 MB of raw float32).

    /usr/bin/python3 -m wavediff_models.prepared --data PAIRS --out DIR --seismic-size 250,70 --seismic-limits=-27.11,55.10

DIR holds
  seismic.npy   float16 [N, sources, H_s, W_s]  normalised to [-1, 1], then area-resized
  velocity.npy  float16 [N, 1, H_v, W_v]        normalised to [-1, 1], then area-resized
  prepared.json {"format": "wavediff_models/prepared", "normalization", "preprocess", "N", "source": ...}
The preprocessing is the one the manifest declares and the app runs before the ONNX graphs
(data.Preprocessor); a run refuses a prepared set whose normalisation or sizes differ from its own."""
import json
import os

import numpy as np
import torch

from .data import DataError, Normalization, OpenFWIDataset, Preprocessor
from .runtime import atomic_json_save

PREPARED_FORMAT = 'wavediff_models/prepared'
PREPARED_RECORD = 'prepared.json'


def is_prepared(path):
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, PREPARED_RECORD))


class PreparedDataset:
    """Same interface as OpenFWIDataset for the trainer, but seismic()/velocity() return the
    normalised, resized float32 arrays (prepared=True tells the tasks to skip preprocessing)."""
    prepared = True

    def __init__(self, path):
        record_path = os.path.join(path, PREPARED_RECORD)
        try:
            with open(record_path, 'r', encoding='utf-8') as f:
                self.record = json.load(f)
        except (OSError, ValueError) as e:
            raise DataError(f'{record_path}: unreadable prepared-set record ({e}); prepare the set again') from e
        if self.record.get('format') != PREPARED_FORMAT:
            raise DataError(f'{record_path}: not a prepared training set (format {self.record.get("format")!r})')
        self.seismic_array = self._open(os.path.join(path, 'seismic.npy'))
        self.velocity_array = self._open(os.path.join(path, 'velocity.npy'))
        n = int(self.record['N'])
        if self.seismic_array.shape[0] != n or self.velocity_array.shape[0] != n:
            raise DataError(f'{path}: prepared.json says {n} pairs but seismic.npy holds '
                            f'{self.seismic_array.shape[0]} and velocity.npy {self.velocity_array.shape[0]}; '
                            f'prepare the set again')
        self.normalization = self.record['normalization']
        self.preprocess = self.record['preprocess']
        self.seismic_shape = tuple(self.record['native_seismic_shape'])
        self.velocity_shape = tuple(self.record['native_velocity_shape'])
        self.description = dict(self.record.get('description', {}))
        self.description.update(source=os.path.abspath(path), N=n, prepared=True,
                                seismic_shape=list(self.seismic_shape), velocity_shape=list(self.velocity_shape))

    @staticmethod
    def _open(path):
        try:
            arr = np.load(path, mmap_mode='r')
        except (OSError, ValueError) as e:
            raise DataError(f'{path}: cannot read as .npy ({e}); prepare the set again') from e
        if arr.dtype != np.float16 or arr.ndim != 4:
            raise DataError(f'{path}: {arr.dtype} {list(arr.shape)}, expected float16 [N, C, H, W]')
        return arr

    def __len__(self):
        return int(self.record['N'])

    def _rows(self, array, indices):
        indices = np.asarray(indices)
        order = np.argsort(indices)
        out = np.empty((len(indices),) + array.shape[1:], dtype=np.float32)
        out[order] = array[indices[order]]
        return out

    def seismic(self, indices):
        """Normalised, resized seismic float32 [len(indices), sources, H_s, W_s]."""
        return self._rows(self.seismic_array, indices)

    def velocity(self, indices):
        """Normalised, resized velocity float32 [len(indices), 1, H_v, W_v]."""
        return self._rows(self.velocity_array, indices)

    def check_matches(self, normalization, preprocess, name):
        """The prepared arrays must be what this run's preprocessing would produce."""
        def sizes(pre):  # a size of None means the native grid
            return (list(pre['seismic']['size'] or self.seismic_shape[1:]),
                    list(pre['velocity']['size'] or self.velocity_shape[1:]))

        mine = (self.normalization['seismic']['log_min'], self.normalization['seismic']['log_max'],
                self.normalization['velocity']['min_mps'], self.normalization['velocity']['max_mps'],
                *sizes(self.preprocess))
        theirs = (normalization['seismic']['log_min'], normalization['seismic']['log_max'],
                  normalization['velocity']['min_mps'], normalization['velocity']['max_mps'], *sizes(preprocess))
        if any((abs(a - b) > 1e-9) if isinstance(a, float) else (list(a or []) != list(b or []))
               for a, b in zip(mine, theirs)):
            raise DataError(f'{name} {self.description["source"]}: prepared with normalisation/sizes {mine}, '
                            f'but this model uses {theirs}; prepare the set again with the model\'s settings')


def prepare(data_path, out, normalization, seismic_size, velocity_size, batch=64, log=print):
    """Writes the prepared set of data_path (folder or JSON pair list) into out, atomically: the
    arrays go to temporary names and prepared.json is written last."""
    source = OpenFWIDataset(data_path)
    pre = Preprocessor(normalization, seismic_size, velocity_size)
    n = len(source)
    os.makedirs(out, exist_ok=True)
    first_s = pre.seismic(source.seismic([0])).numpy()
    first_v = pre.velocity(source.velocity([0])).numpy()
    tmp_s = os.path.join(out, '.seismic.npy.tmp')
    tmp_v = os.path.join(out, '.velocity.npy.tmp')
    seis = np.lib.format.open_memmap(tmp_s, mode='w+', dtype=np.float16, shape=(n,) + first_s.shape[1:])
    vel = np.lib.format.open_memmap(tmp_v, mode='w+', dtype=np.float16, shape=(n,) + first_v.shape[1:])
    with torch.no_grad():
        for start in range(0, n, batch):
            idx = np.arange(start, min(n, start + batch))
            seis[idx] = pre.seismic(source.seismic(idx)).numpy().astype(np.float16)
            vel[idx] = pre.velocity(source.velocity(idx)).numpy().astype(np.float16)
            if (start // batch) % 20 == 0:
                log(f'prepared {idx[-1] + 1}/{n} pairs')
    seis.flush()
    vel.flush()
    del seis, vel
    os.replace(tmp_s, os.path.join(out, 'seismic.npy'))
    os.replace(tmp_v, os.path.join(out, 'velocity.npy'))
    record = {'format': PREPARED_FORMAT, 'N': n, 'normalization': normalization.to_dict(),
              'preprocess': pre.to_dict(), 'native_seismic_shape': list(source.seismic_shape),
              'native_velocity_shape': list(source.velocity_shape), 'description': source.description}
    atomic_json_save(record, os.path.join(out, PREPARED_RECORD))
    return record


def open_dataset(path, require_velocity=True):
    """A prepared set (folder with prepared.json) or raw OpenFWI pairs."""
    if is_prepared(path):
        return PreparedDataset(path)
    return OpenFWIDataset(path, require_velocity=require_velocity)


def main(argv=None):
    import argparse
    import sys
    from .data import SEISMIC_LIMITS
    from .runtime import log
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.prepared',
                                description='Normalise and resize OpenFWI pairs once into a float16 training set.')
    p.add_argument('--data', required=True, help='folder of data*/model*.npy pairs or a JSON pair list')
    p.add_argument('--out', required=True, help='output folder (seismic.npy, velocity.npy, prepared.json)')
    p.add_argument('--seismic-size', required=True, help='network seismic size "time,receivers", e.g. 250,70')
    p.add_argument('--velocity-size', default='70,70', help='network velocity size "depth,width" (70,70)')
    p.add_argument('--family', choices=sorted(SEISMIC_LIMITS), default='curvevel-a',
                   help='family whose seismic limits normalise the data')
    p.add_argument('--seismic-limits', help='raw amplitude limits "lo,hi" instead of the family\'s')
    args = p.parse_args(argv)
    try:
        sizes = [[int(x) for x in text.split(',')] for text in (args.seismic_size, args.velocity_size)]
        if args.seismic_limits:
            limits = [float(x) for x in args.seismic_limits.split(',')]
            normalization = Normalization(limits, 'custom')
        else:
            normalization = Normalization(SEISMIC_LIMITS[args.family], args.family)
        if is_prepared(args.out):
            log(f'{args.out}: already prepared')
            return 0
        record = prepare(args.data, args.out, normalization, sizes[0], sizes[1], log=log)
        log(f'{args.out}: {record["N"]} pairs prepared')
        return 0
    except (DataError, ValueError) as e:
        log(f'prepare failed: {e}')
        return 1


if __name__ == '__main__':
    import sys
    sys.exit(main())
