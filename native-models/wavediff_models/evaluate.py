"""Held-out metrics of an exported model, computed with the torch modules the ONNX graphs were
exported from (eval mode, same weights), for the model card:

    /usr/bin/python3 -m wavediff_models.evaluate --model DIR --data DIR --json [--limit N] [--profile]

DIR: an exported model folder (weights.pt + manifest.json), a training --out folder or a checkpoint.
--data: raw pairs (a folder or a JSON pair list) or a prepared set (prepared.py).
Prints one JSON document on stdout with --json, a short table otherwise. --profile adds where the
velocity errors lie (error_profile.py: by true velocity, by depth; stage 1 and InversionNet)."""
import argparse
import json
import sys

import numpy as np
import torch

from . import bundle as bundle_io
from .error_profile import velocity_error_profile
from .prepared import open_dataset
from .runtime import log, set_threads, _clean
from .tasks import check_geometry, make_task


def evaluate_model(model_path, data_path, limit=None, batch_size=8, device='cpu', profile=False):
    bundle = bundle_io.load(model_path)
    if profile and bundle['kind'] == 'stage2':
        raise ValueError('--profile profiles velocity predictions: give a stage-1 or InversionNet model')
    task = make_task(bundle['config'], torch.device(device))
    task.load_state_dict(bundle_io.averaged_state(bundle))
    task.train(False)
    dataset = open_dataset(data_path)
    check_geometry(bundle['config'], dataset, '--data')
    if getattr(dataset, 'prepared', False):
        dataset.check_matches(bundle['config']['normalization'], bundle['config']['preprocess'], '--data')
    indices = np.arange(len(dataset))[:limit] if limit else np.arange(len(dataset))
    predicted, true = [], []

    def keep_velocity(vel_hat, velocity):
        predicted.append(task.normalization.velocity_inverse(vel_hat).numpy())
        true.append(task.normalization.velocity_inverse(velocity).numpy())

    metrics = task.evaluate(dataset, indices, batch_size, on_velocity=keep_velocity if profile else None)
    extra = {'error_profile': velocity_error_profile(np.concatenate(predicted), np.concatenate(true))} if profile else {}
    return {'kind': bundle['kind'], 'model': bundle['path'], 'data': dataset.description,
            'samples': len(indices), 'metrics': metrics, **extra,
            'metric_definitions': {
                'velocity_mae': 'mean |v_hat - v| on velocity normalised to [-1, 1]',
                'velocity_rmse': 'sqrt(mean (v_hat - v)^2) on [-1, 1]',
                'velocity_ssim': 'SSIM of (v+1)/2, 11x11 Gaussian window sigma 1.5, mean over pixels and samples',
                'seismic_relative_l2': '||s_hat - s|| / ||s|| per sample on normalised network-resolution seismic',
            }}


def main(argv=None):
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.evaluate', description=__doc__.split('\n\n')[0])
    p.add_argument('--model', required=True)
    p.add_argument('--data', required=True, help='folder of data*/model*.npy pairs or a JSON pair list')
    p.add_argument('--json', action='store_true', help='one JSON document on stdout')
    p.add_argument('--limit', type=int, help='use the first N samples only')
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--profile', action='store_true', help='add where the velocity errors lie (by true velocity, by depth)')
    args = p.parse_args(argv)
    set_threads(args.threads)
    try:
        result = evaluate_model(args.model, args.data, args.limit, args.batch_size, profile=args.profile)
    except Exception as e:
        log(f'evaluation failed: {type(e).__name__}: {e}')
        if args.json:
            print(json.dumps({'error': str(e), 'type': type(e).__name__}))
        return 1
    if args.json:
        print(json.dumps(_clean(result), indent=2))
    else:
        for key, value in result['metrics'].items():
            print(f'{key:32s} {value}')
        for band in result.get('error_profile', {}).get('by_true_velocity', []):
            print(f'{band["from_mps"]:.0f}-{band["to_mps"]:.0f} m/s ({band["cells"]:.0%} of cells): '
                  f'bias {band["bias_mps"]:+.0f} m/s, MAE {band["mae_mps"]:.0f} m/s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
