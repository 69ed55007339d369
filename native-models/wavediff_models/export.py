"""ONNX export of a trained model and its manifest.json.

    /usr/bin/python3 -m wavediff_models.export {stage1|stage2|inversionnet} --checkpoint PATH --out DIR [--stage1 S1]

PATH: a training --out folder, its checkpoint.pt, or an exported model folder; --stage1 (stage 2) re-pairs
the denoiser with a stage 1 of the latent space it was trained on (pairing.py). DIR receives the .onnx
graphs (opset 17, dynamic batch axis 'batch'), weights.pt (torch weights for evaluate and
reference_outputs; the app does not need it) and manifest.json (README.md, "Manifest")."""
import argparse
import copy
import datetime
import hashlib
import inspect
import os
import sys
import tempfile
import warnings

import torch

from . import MANIFEST_FORMAT_VERSION, __version__
from . import bundle as bundle_io
from .onnx_info import read_onnx
from .pairing import latent_space_fingerprint, payload_latent_space, repaired
from .runtime import Emitter, atomic_json_save, atomic_torch_save, log, set_threads
from .stage1 import QuantizerGraph
from .tasks import KINDS, make_task, weights_fingerprint

ONNX_OPSET = 17
BATCH_AXIS = 'batch'
EXPORT_BATCH = 2  # trace with batch 2 so no size-1 batch gets baked in


class ExportError(Exception):
    pass


def onnx_export(module, args, path, input_names, output_names):
    """torch.onnx.export with the TorchScript exporter on every PyTorch: `dynamo=False` is passed only
    where the argument exists (PyTorch >= 2.9 defaults to the dynamo exporter; 1.13 rejects the argument)."""
    kwargs = dict(opset_version=ONNX_OPSET, input_names=input_names, output_names=output_names,
                  dynamic_axes={name: {0: BATCH_AXIS} for name in input_names + output_names},
                  do_constant_folding=True)
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=directory)
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # The TorchScript exporter warns about shape inference of constants; the declared shapes
            # are checked against the manifest after export instead.
            warnings.simplefilter('ignore')
            torch.onnx.export(module, args, tmp, **kwargs)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def graph_specs(task):
    """name -> (module, example inputs, [(input name, shape without batch, dtype)], [(output ...)])."""
    b = EXPORT_BATCH
    cfg = task.cfg
    if task.kind == 'stage1':
        m = cfg['model']
        s_shape = [m['sources']] + list(m['seismic_size'])
        v_shape = [1] + list(m['velocity_size'])
        l_shape = [m['codebook_dim']] + list(m['latent_size'])
        model = task.model
        latent = torch.randn([b] + l_shape)
        return {
            'encoder': (model.encoder, (torch.randn([b] + s_shape),),
                        [('seismic', s_shape, 'float32')], [('latent', l_shape, 'float32')]),
            'quantizer': (QuantizerGraph(model.quantizer), (latent,), [('latent', l_shape, 'float32')],
                          [('latent_quantized', l_shape, 'float32'), ('codes', l_shape[1:], 'int64')]),
            'decoder_seismic': (model.decoder_seismic, (latent,), [('latent_quantized', l_shape, 'float32')],
                                [('seismic', s_shape, 'float32')]),
            'decoder_velocity': (model.decoder_velocity, (latent,), [('latent_quantized', l_shape, 'float32')],
                                 [('velocity', v_shape, 'float32')]),
        }
    if task.kind == 'stage2':
        l_shape = [task.latent_channels] + list(task.latent_size)
        t = torch.tensor([10.0, 500.0])
        return {'denoiser': (task.unet, (torch.randn([b] + l_shape), t),
                             [('x_t', l_shape, 'float32'), ('timestep', [], 'float32')],
                             [('eps', l_shape, 'float32')])}
    m = cfg['model']
    s_shape = [m['sources']] + list(m['input_size'])
    return {'inversionnet': (task.model, (torch.randn([b] + s_shape),), [('seismic', s_shape, 'float32')],
                             [('velocity', [1] + list(m['output_size']), 'float32')])}


def _declared(entries):
    return [{'name': n, 'shape': [BATCH_AXIS] + list(s), 'dtype': d} for n, s, d in entries]


def check_declared(path, expected_inputs, expected_outputs):
    """Compares the .onnx file's declared inputs/outputs with what the manifest will state."""
    info = read_onnx(path)
    for role, got, want in (('input', info['inputs'], expected_inputs), ('output', info['outputs'], expected_outputs)):
        got_simple = [{'name': g['name'], 'shape': g['shape'], 'dtype': g['dtype']} for g in got]
        if got_simple != want:
            raise ExportError(f'{path}: declared {role}s {got_simple} differ from the expected {want}')
    opset = info['opsets'].get('', info['opsets'].get('ai.onnx'))
    if opset is None or opset > ONNX_OPSET:
        raise ExportError(f'{path}: opset {opset}, expected at most {ONNX_OPSET}')
    return info


def _sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def build_manifest(task, bundle, graphs):
    cfg = task.cfg
    meta = bundle.get('meta', {})
    manifest = {
        'format_version': MANIFEST_FORMAT_VERSION,
        'kind': task.kind,
        'created': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'producer': {'package': 'wavediff_models', 'version': __version__, 'torch': torch.__version__,
                     'onnx_opset': ONNX_OPSET},
        'graphs': graphs,
        'normalization': cfg['normalization'],
        'preprocess': cfg['preprocess'],
        'architecture': {k: v for k, v in cfg['model'].items()},
        'parameters': task.parameter_count(),
        'training': {
            'data': meta.get('data'),
            'val_data': meta.get('val_data'),
            'families': meta.get('families', []),
            'steps': meta.get('steps'),
            # A warm-started run: the training of the runs it started from, summed (null for a fresh run).
            'earlier': meta.get('earlier'),
            'batch_size': cfg['train']['batch_size'],
            'optimizer': cfg['train']['optimizer'],
            'lr': cfg['train']['lr'],
            'weight_decay': cfg['train']['weight_decay'],
            'seed': cfg['train']['seed'],
            'samples_seen': meta.get('samples_seen'),
            'training_time_s': meta.get('training_time_s'),
            'device': meta.get('device'),
            'torch_version': meta.get('torch_version'),
        },
        'metrics': meta.get('metrics', {}),
    }
    if task.kind == 'stage1':
        m = cfg['model']
        manifest['latent'] = {
            'shape': [BATCH_AXIS, m['codebook_dim']] + list(m['latent_size']),
            'encoder_output': 'continuous (before quantisation)',
            'quantizer': 'separate graph quantizer.onnx: nearest codeword by squared distance (argmin)',
            'decoders_take': 'latent_quantized',
            'codebook_size': m['codebook_size'], 'codebook_dim': m['codebook_dim'],
            'codebook_training': 'EMA',
            # The whole stage 1, and the part of it a stage-2 model depends on (pairing.py).
            'fingerprint': weights_fingerprint(task.model),
            'space_fingerprint': latent_space_fingerprint(task.model.state_dict(), cfg['normalization'],
                                                          cfg['preprocess']),
        }
    elif task.kind == 'stage2':
        s1 = cfg['stage1']
        manifest['latent'] = {
            'shape': [BATCH_AXIS, task.latent_channels] + list(task.latent_size),
            'space': 'continuous stage-1 encoder output (before quantisation), multiplied by scale',
            'scale': task.latent_scale,
            'to_stage1': 'latent = x_0 / scale, then quantizer.onnx, then the decoders',
        }
        manifest['schedule'] = task.schedule.to_dict()
        manifest['stage1'] = {'fingerprint': s1['fingerprint'], 'latent_space_fingerprint': payload_latent_space(s1),
                              'source': s1.get('source')}
    return manifest


def export_bundle(bundle, out_dir, emitter=None):
    """Writes the graphs, weights.pt and manifest.json of a checkpoint/weights bundle into out_dir."""
    kind = bundle['kind']
    task = make_task(copy.deepcopy(bundle['config']), torch.device('cpu'))
    task.load_state_dict(bundle_io.averaged_state(bundle))
    task.train(False)
    os.makedirs(out_dir, exist_ok=True)
    graphs = {}
    for name, (module, args, ins, outs) in graph_specs(task).items():
        path = os.path.join(out_dir, name + '.onnx')
        onnx_export(module, args, path, [n for n, _, _ in ins], [n for n, _, _ in outs])
        info = check_declared(path, _declared(ins), _declared(outs))
        graphs[name] = {'file': name + '.onnx', 'inputs': _declared(ins), 'outputs': _declared(outs),
                        'opset': info['opsets'].get(''), 'bytes': os.path.getsize(path), 'sha256': _sha256(path)}
        log(f'exported {path} ({graphs[name]["bytes"] / 1e6:.2f} MB)')
    atomic_torch_save(bundle_io.weights_only(bundle), os.path.join(out_dir, bundle_io.WEIGHTS_NAME))
    manifest = build_manifest(task, bundle, graphs)
    atomic_json_save(manifest, os.path.join(out_dir, 'manifest.json'))
    if emitter:
        emitter.emit('export', kind=kind, dir=os.path.abspath(out_dir),
                     files={n: os.path.join(os.path.abspath(out_dir), g['file']) for n, g in graphs.items()},
                     manifest=os.path.join(os.path.abspath(out_dir), 'manifest.json'))
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python3 -m wavediff_models.export',
                                     description='Export a trained model to ONNX with manifest.json.')
    parser.add_argument('kind', choices=KINDS)
    parser.add_argument('--checkpoint', required=True, help='training --out folder, checkpoint.pt or model folder')
    parser.add_argument('--out', required=True, help='folder for the .onnx graphs and manifest.json')
    parser.add_argument('--stage1', help='stage 2 only: re-pair the denoiser with this stage-1 folder or checkpoint, '
                        'which must have the latent space it was trained on (e.g. a velocity-decoder refit)')
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args(argv)
    set_threads(args.threads)
    emitter = Emitter()
    try:
        bundle = bundle_io.load(args.checkpoint)
        if bundle['kind'] != args.kind:
            raise ExportError(f'{bundle["path"]}: holds a {bundle["kind"]} model, not {args.kind}')
        if args.stage1:
            if args.kind != 'stage2':
                raise ExportError('--stage1 re-pairs a stage-2 model; this is a ' + args.kind + ' model')
            bundle = repaired(bundle, args.stage1)
            log(f're-paired with the stage 1 of {args.stage1} (the same latent space)')
        manifest = export_bundle(bundle, args.out, emitter)
        emitter.emit('done', kind=args.kind, dir=os.path.abspath(args.out),
                     graphs=sorted(manifest['graphs']))
        return 0
    except Exception as e:  # reported on the protocol, then a non-zero exit
        log(f'export failed: {type(e).__name__}: {e}')
        emitter.emit('error', message=str(e), error=type(e).__name__)
        return 1


if __name__ == '__main__':
    sys.exit(main())
