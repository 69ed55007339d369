"""Trained-model files: the training checkpoint (OUT/checkpoint.pt) and the evaluation weights
shipped beside the ONNX graphs (MODEL_DIR/weights.pt). Both are torch.save'd dicts:
  {'format': 'wavediff_models/checkpoint' | 'wavediff_models/weights', 'kind', 'config',
   'model_state': {module name: state_dict}, 'meta': {...}}
and a checkpoint adds 'step', 'optimizer', 'sampler', 'rng'."""
import os

from .runtime import torch_load

CHECKPOINT_NAME = 'checkpoint.pt'
WEIGHTS_NAME = 'weights.pt'


class BundleError(Exception):
    pass


def resolve(path):
    """A checkpoint/weights file, a training output folder (checkpoint.pt) or an exported model
    folder (weights.pt) -> the file to load."""
    if os.path.isfile(path):
        return path
    for name in (WEIGHTS_NAME, CHECKPOINT_NAME):
        candidate = os.path.join(path, name)
        if os.path.isfile(candidate):
            return candidate
    raise BundleError(f'{path}: no {WEIGHTS_NAME} or {CHECKPOINT_NAME} here; give a training --out folder, '
                      f'an exported model folder or a checkpoint file')


def load(path):
    file = resolve(path)
    try:
        bundle = torch_load(file)
    except Exception as e:  # a truncated or foreign file: say which and what to do
        raise BundleError(f'{file}: cannot be read as a wavediff_models checkpoint ({e}); '
                          f'train again or pick another file') from e
    if not isinstance(bundle, dict) or not str(bundle.get('format', '')).startswith('wavediff_models/'):
        raise BundleError(f'{file}: not a wavediff_models checkpoint or weights file')
    bundle['path'] = os.path.abspath(file)
    return bundle


def averaged_state(bundle):
    """The weights to evaluate and ship: the EMA of the weights where the run kept one, else the
    live weights (a weights file already holds the chosen ones)."""
    ema = bundle.get('ema')
    return ema['shadow'] if ema else bundle['model_state']


def earlier_training(bundle):
    """What a run warm-started from `bundle` builds on: the bundle's own training plus what it built on,
    summed ({'runs', 'steps', 'samples_seen', 'training_time_s'}); None without a training record."""
    meta = bundle.get('meta') or {}
    if not isinstance(meta.get('steps'), int):
        return None
    before = meta.get('earlier') or {}
    return {'runs': 1 + before.get('runs', 0),
            'steps': meta['steps'] + before.get('steps', 0),
            'samples_seen': (meta.get('samples_seen') or 0) + before.get('samples_seen', 0),
            'training_time_s': (meta.get('training_time_s') or 0.0) + before.get('training_time_s', 0.0)}


def weights_only(checkpoint):
    return {'format': 'wavediff_models/weights', 'kind': checkpoint['kind'], 'config': checkpoint['config'],
            'model_state': averaged_state(checkpoint), 'meta': checkpoint.get('meta', {})}
