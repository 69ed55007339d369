"""PyTorch outputs on fixed seeded inputs, for the app's onnxruntime-node parity test:

    /usr/bin/python3 -m wavediff_models.reference_outputs --model DIR --out DIR [--seed 0] [--batch 3]

For every graph in DIR/manifest.json writes OUT/<graph>.<tensor>.npy for its inputs and outputs
and OUT/index.json: {"seed", "batch", "kind", "graphs": {graph: {"inputs": {name: file},
"outputs": {name: file}}}}. Inputs: standard normal (seed) clipped to [-3, 3], except stage 1, where
the quantizer gets the encoder's output and the decoders the quantizer's, and the denoiser's
timestep, which is evenly spaced integers 0..T-1 as float32. A batch other than the export's (2)
exercises the dynamic batch axis."""
import argparse
import json
import os
import sys

import numpy as np
import torch

from . import bundle as bundle_io
from .export import graph_specs
from .runtime import atomic_json_save, atomic_npy_save, log, set_threads
from .tasks import make_task


def _save(out_dir, graph, name, array):
    file = f'{graph}.{name}.npy'
    arr = array.detach().cpu().numpy()
    path = os.path.join(out_dir, file)
    if arr.dtype == np.int64:
        np.save(path, arr)
    else:
        atomic_npy_save(arr, path)
    return file


def write_reference_outputs(model_dir, out_dir, seed=0, batch=3):
    with open(os.path.join(model_dir, 'manifest.json'), 'r', encoding='utf-8') as f:
        manifest = json.load(f)
    bundle = bundle_io.load(model_dir)
    task = make_task(bundle['config'], torch.device('cpu'))
    task.load_state_dict(bundle_io.averaged_state(bundle))
    task.train(False)
    specs = graph_specs(task)
    gen = torch.Generator().manual_seed(seed)
    os.makedirs(out_dir, exist_ok=True)
    index = {'seed': seed, 'batch': batch, 'kind': manifest['kind'], 'graphs': {}}
    produced = {}
    order = [g for g in ('encoder', 'quantizer', 'decoder_seismic', 'decoder_velocity') if g in specs] + \
            [g for g in specs if g not in ('encoder', 'quantizer', 'decoder_seismic', 'decoder_velocity')]
    for graph in order:
        module, _, ins, outs = specs[graph]
        args = []
        for name, shape, dtype in ins:
            if name == 'timestep':
                T = manifest['schedule']['num_train_timesteps']
                args.append(torch.tensor(np.linspace(0, T - 1, batch).round(), dtype=torch.float32))
            elif graph != 'encoder' and name in produced:
                args.append(produced[name])
            else:
                args.append(torch.randn([batch] + list(shape), generator=gen).clamp(-3, 3))
        with torch.no_grad():
            result = module(*args)
        if not isinstance(result, (tuple, list)):
            result = (result,)
        entry = {'inputs': {}, 'outputs': {}}
        for (name, _, _), value in zip(ins, args):
            entry['inputs'][name] = _save(out_dir, graph, name, value)
        for (name, _, _), value in zip(outs, result):
            entry['outputs'][name] = _save(out_dir, graph, name, value)
            produced[name] = value
        index['graphs'][graph] = entry
        log(f'{graph}: reference outputs written')
    atomic_json_save(index, os.path.join(out_dir, 'index.json'))
    return index


def main(argv=None):
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.reference_outputs',
                                description='Seeded inputs and PyTorch outputs of every exported graph.')
    p.add_argument('--model', required=True, help='exported model folder (manifest.json, weights.pt)')
    p.add_argument('--out', required=True)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--batch', type=int, default=3)
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args(argv)
    set_threads(args.threads)
    try:
        index = write_reference_outputs(args.model, args.out, args.seed, args.batch)
    except Exception as e:
        log(f'reference outputs failed: {type(e).__name__}: {e}')
        return 1
    print(json.dumps({'out': os.path.abspath(args.out), 'graphs': sorted(index['graphs'])}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
