"""Training entry point, run by the app as a child process:

    /usr/bin/python3 -m wavediff_models.train {stage1|stage2|inversionnet} --data DIR --out DIR [...]

stdout carries JSON lines only (README.md, "Protocol"); logs go to stderr. Checkpoints are written
atomically to OUT/checkpoint.pt; --resume continues from it; SIGTERM/SIGINT save one and exit 0."""
import argparse
import contextlib
import copy
import os
import signal
import sys
import time

import numpy as np
import torch

from . import PROTOCOL_VERSION
from . import bundle as bundle_io
from .augment import AugmentError, check_mirrorable
from .data import (DEFAULT_FAMILY, SEISMIC_LIMITS, BatchSampler, DataError, Normalization, Preprocessor,
                   content_digest, padded_traces, split_indices)
from .prepared import open_dataset
from .recipe import WeightEMA, extend_cycles, first_cycle, learning_rate
from .export import export_bundle
from .pairing import PairingError, payload_latent_space, stage1_payload
from .params import add_training_params
from .runtime import (Emitter, atomic_torch_save, log, rng_state, seed_everything, select_device,
                      set_rng_state, set_threads)
from .tasks import KINDS, MODEL_DEFAULTS, REFIT_VELOCITY_DECODER, check_geometry, make_task, prune_previews

# AdamW with linear warm-up over warmup_fraction of a cycle, then cosine decay to min_lr_fraction of
# the peak (recipe.py); evaluation and export use an EMA of the weights with decay up to ema_decay.
RECIPE = {'warmup_fraction': 0.05, 'min_lr_fraction': 0.02, 'ema_decay': 0.999}
TRAIN_DEFAULTS = {
    'stage1': dict(RECIPE, lr=5e-4, weight_decay=1e-4, batch_size=16, grad_clip=1.0),
    'stage2': dict(RECIPE, lr=5e-4, weight_decay=0.0, batch_size=64, grad_clip=1.0),
    'inversionnet': dict(RECIPE, lr=1e-3, weight_decay=1e-4, batch_size=32, grad_clip=1.0),
}


class TrainingError(Exception):
    pass


def _ints(text):
    return [int(x) for x in text.replace('x', ',').split(',') if x.strip()]


def _adapter(text):
    return [] if text.strip().lower() == 'none' else _ints(text)


def _named_path(text):
    name, sep, path = text.partition('=')
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f'{text}: write NAME=PATH, e.g. real-flatvel-a=/data/flatvel')
    return name, path


def _floats(text):
    return [float(x) for x in text.split(',') if x.strip()]


def parse_args(argv):
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.train',
                                description='Train a WaveDiffusion network; JSON lines on stdout.')
    p.add_argument('kind', choices=KINDS)
    p.add_argument('--data', required=True, help='folder of data*/model*.npy pairs or a JSON pair list')
    p.add_argument('--val-data', help='held-out data (default: a seeded --val-fraction of --data)')
    p.add_argument('--out', required=True, help='output folder: checkpoint.pt, previews/, model/')
    p.add_argument('--stage1', help='stage 2 only: stage-1 training folder, checkpoint or model folder')
    add_training_params(p, {'steps': '; on --resume: the new total', 'threads': '; torch.set_num_threads'})
    p.add_argument('--lr', type=float, help='peak learning rate; on --resume with a raised --steps: the peak of the '
                                            'new cycle (default: half the last cycle\'s)')
    p.add_argument('--weight-decay', type=float)
    p.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto')
    p.add_argument('--resume', action='store_true', help='continue from OUT/checkpoint.pt when it exists')
    p.add_argument('--init-weights',
                   help='a new run starts from these weights (a checkpoint, weights.pt or model folder of the same '
                        'kind and architecture) instead of a random initialisation')
    p.add_argument('--stop-at', type=int,
                   help='stop with a checkpoint after this step, as SIGTERM does (the schedule still runs to --steps)')
    p.add_argument('--family', choices=sorted(SEISMIC_LIMITS),
                   help='OpenFWI family whose seismic limits normalise the data (default: the family in the '
                        'data folder\'s synthesis.json, else flatvel-a)')
    p.add_argument('--seismic-limits', type=_floats, help='raw amplitude limits "lo,hi" instead of the family\'s')
    p.add_argument('--seismic-size', type=_ints,
                   help='network seismic size "time,receivers" (250,70: time averaged 1000 -> 250, receivers kept)')
    p.add_argument('--velocity-size', type=_ints, help='stage 1 network velocity size "depth,width" (70,70)')
    p.add_argument('--seismic-adapter', type=_adapter,
                   help='stage 1: kernel "h,w" of the convolution that maps the receivers to the network width '
                        '(3,7: 70 -> 64), or "none" when halvings reach the latent directly')
    p.add_argument('--velocity-adapter', type=_adapter, help='stage 1: likewise for velocity (7,7: 70 -> 64), or "none"')
    p.add_argument('--latent-size', type=_ints, help='stage 1 latent map "h,w" (16,16)')
    p.add_argument('--codebook-size', type=int)
    p.add_argument('--codebook-dim', type=int)
    p.add_argument('--base-channels', type=int)
    p.add_argument('--velocity-base-channels', type=int,
                   help='stage 1: base channels of the velocity decoder alone (default: --base-channels)')
    p.add_argument('--refit-velocity-decoder', action='store_true',
                   help='stage 1: train only the velocity decoder on the fixed latents of --init-weights\' stage 1 '
                        '(its architecture, normalisation, encoder, quantiser and seismic decoder kept); the '
                        'decoder starts afresh when --velocity-base-channels changes its width')
    p.add_argument('--joint', action='store_true',
                   help='stage 1: a new run of all of stage 1 (encoder, quantiser, both decoders) from the averaged '
                        'weights of --init-weights\' stage 1, or of the velocity-decoder refit being resumed (its '
                        'architecture and normalisation kept); the latent space moves, so stage 2 trains anew on it')
    p.add_argument('--channel-mult', type=_ints, help='per-level channel multipliers, e.g. 1,2,4,8')
    p.add_argument('--no-attention', action='store_true', help='stage 2: no self-attention at the lowest level')
    p.add_argument('--seismic-weight', type=float, help='stage 1: weight of the seismic L1 term (1.0)')
    p.add_argument('--velocity-weight', type=float, help='stage 1: weight of the velocity L1 term (1.0)')
    p.add_argument('--adversarial-weight', type=float,
                   help='stage 1: weight of the PatchGAN hinge term on decoded velocity (default 0 = off)')
    p.add_argument('--adversarial-start', type=int, help='stage 1: first step of the adversarial term (0)')
    p.add_argument('--mirror', action='store_true',
                   help='stage 1 and InversionNet: train on a random half of each batch mirrored left-right '
                        '(OpenFWI\'s acquisition only; augment.py); on --resume: from the current step on')
    p.add_argument('--width', type=float, help='InversionNet channel multiplier (1.0 = 24.4 M parameters)')
    p.add_argument('--beta-schedule', choices=('linear', 'scaled_linear'))
    p.add_argument('--log-every', type=int, default=10, help='progress message every N steps')
    p.add_argument('--checkpoint-every', type=int, default=200, help='checkpoint every N steps (0: off)')
    p.add_argument('--checkpoint-minutes', type=float, default=0,
                   help='also checkpoint when this many minutes passed since the last one (0: off)')
    p.add_argument('--eval-data', type=_named_path, action='append', default=[],
                   help='NAME=PATH: another held-out set evaluated with the validation set (repeatable), '
                        'e.g. real OpenFWI models; never trained on')
    p.add_argument('--preview-every', type=int, default=200, help='0: only at the end')
    p.add_argument('--eval-every', type=int, default=0, help='held-out metrics every N steps; 0: at the end')
    p.add_argument('--keep-previews', type=int, default=10, help='preview folders kept (oldest removed)')
    p.add_argument('--val-fraction', type=float, default=0.1)
    p.add_argument('--max-val-samples', type=int, default=64, help='held-out samples used for metrics')
    p.add_argument('--no-export', action='store_true', help='skip the ONNX export at the end')
    return p.parse_args(argv)


def _stage1_payload(path):
    try:
        return stage1_payload(path)
    except PairingError as e:
        raise TrainingError(f'--stage1 {e}') from e


def continued_config(cfg, source_cfg, args):
    """A new stage-1 run on a trained one (a velocity-decoder refit, or a joint run of all its parts): the
    source's model, normalisation and preprocessing, this run's training settings, and the loss weights
    given; a refit may also widen its decoder."""
    run = copy.deepcopy(source_cfg)
    run['train'] = dict(cfg['train'])
    if args.refit_velocity_decoder:
        run['train']['refit'] = REFIT_VELOCITY_DECODER
        if args.velocity_base_channels is not None:
            run['model']['velocity_base_channels'] = args.velocity_base_channels
    else:
        width = run['model'].get('velocity_base_channels') or run['model']['base_channels']
        if args.velocity_base_channels not in (None, width):
            raise TrainingError(f'--joint keeps the source\'s decoders: its velocity decoder has {width} base '
                                f'channels, not {args.velocity_base_channels} (widen it with --refit-velocity-decoder)')
    for key in ('velocity_weight', 'seismic_weight'):
        if getattr(args, key) is not None:
            run['model'][key] = getattr(args, key)
    return run


def build_config(args, train_set, stage1=None):
    """A new run's configuration; stage 2's `stage1` is the payload of args.stage1 when already loaded."""
    kind = args.kind
    model = copy.deepcopy(MODEL_DEFAULTS[kind])
    train = dict(TRAIN_DEFAULTS[kind])
    for key in ('batch_size', 'lr', 'weight_decay'):
        if getattr(args, key) is not None:
            train[key] = getattr(args, key)
    train.update(seed=args.seed, optimizer='AdamW')
    if args.mirror:
        train['mirror'] = True
    overrides = {'latent_size': args.latent_size, 'codebook_size': args.codebook_size,
                 'codebook_dim': args.codebook_dim, 'base_channels': args.base_channels,
                 'velocity_base_channels': args.velocity_base_channels,
                 'channel_mult': args.channel_mult, 'width': args.width, 'beta_schedule': args.beta_schedule,
                 'seismic_size': args.seismic_size, 'velocity_size': args.velocity_size,
                 'input_size': args.seismic_size if kind == 'inversionnet' else None,
                 'seismic_adapter': args.seismic_adapter, 'velocity_adapter': args.velocity_adapter,
                 'adversarial_weight': args.adversarial_weight, 'adversarial_start': args.adversarial_start,
                 'seismic_weight': args.seismic_weight, 'velocity_weight': args.velocity_weight}
    for key, value in overrides.items():
        if value is not None and key in model:
            model[key] = None if value == [] else value
    if args.no_attention and kind == 'stage2':
        model['attention_lowest'] = False
    cfg = {'kind': kind, 'model': model, 'train': train}
    sources, time_len, receivers = train_set.seismic_shape
    if kind == 'stage2':
        if not args.stage1:
            raise TrainingError('stage2 needs --stage1 DIR (a trained stage-1 folder or checkpoint)')
        s1 = stage1 if stage1 is not None else _stage1_payload(args.stage1)
        cfg['stage1'] = s1
        cfg['normalization'] = s1['normalization']
        cfg['preprocess'] = s1['preprocess']
        if s1['model']['sources'] != sources:
            raise TrainingError(f'--data has {sources} sources per sample; the stage-1 model expects '
                                f'{s1["model"]["sources"]}')
        return cfg
    if getattr(train_set, 'prepared', False) and args.family is None and args.seismic_limits is None:
        # A prepared set fixes the normalisation and network sizes it was made with.
        normalization = Normalization.from_dict(train_set.normalization)
        if args.seismic_size is None:
            key = 'seismic_size' if kind == 'stage1' else 'input_size'
            model[key] = list(train_set.preprocess['seismic']['size'])
        if kind == 'stage1' and args.velocity_size is None and train_set.preprocess['velocity']['size']:
            model['velocity_size'] = list(train_set.preprocess['velocity']['size'])
    else:
        family = args.family
        if family is None:
            recorded = [f for f in train_set.description.get('families', []) if f in SEISMIC_LIMITS]
            family = recorded[0] if recorded else DEFAULT_FAMILY
        limits = args.seismic_limits or SEISMIC_LIMITS[family]
        if len(limits) != 2:
            raise TrainingError('--seismic-limits needs two numbers "lo,hi", e.g. -26.95,52.77')
        normalization = Normalization(limits, family if not args.seismic_limits else 'custom')
    cfg['normalization'] = normalization.to_dict()
    if train_set.velocity_shape is None:
        raise TrainingError(f'{kind} needs velocity files beside the seismic')
    depth, width = train_set.velocity_shape[1:]
    if kind == 'stage1':
        model['sources'] = sources
        pre = Preprocessor(normalization, model['seismic_size'], model['velocity_size'])
    else:
        model['sources'] = sources
        model['native_input_size'] = [time_len, receivers]
        model['output_size'] = [depth, width]
        # InversionNet's velocity is on the native grid; a prepared set's velocity must be too.
        pre = Preprocessor(normalization, model['input_size'], None)
    cfg['preprocess'] = pre.to_dict()
    return cfg


class StopFlag:
    def __init__(self):
        self.signal = None

    def install(self):
        self.previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore(self):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum, _frame):
        self.signal = signal.Signals(signum).name


def _lr(optimizer):
    return optimizer.param_groups[0]['lr']


def run(args, emitter, stop):
    set_threads(args.threads)
    device = select_device(args.device)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, bundle_io.CHECKPOINT_NAME)
    resumed = None
    if os.path.exists(ckpt_path):
        if not args.resume:
            raise TrainingError(f'{ckpt_path} exists: pass --resume to continue that run, or choose another --out')
        resumed = bundle_io.load(ckpt_path)
        if resumed['kind'] != args.kind:
            raise TrainingError(f'{ckpt_path}: holds a {resumed["kind"]} run, not {args.kind}')
    elif args.resume:
        log(f'--resume: no {ckpt_path} yet, starting from step 0')

    warm_start = None
    earlier = None  # the training a warm-started run builds on (manifest: training.earlier)
    offered = None  # the stage-1 payload of --stage1, once loaded
    if resumed and args.kind == 'stage2' and args.stage1:
        offered = _stage1_payload(args.stage1)
        if offered['latent_space_fingerprint'] != payload_latent_space(resumed['config']['stage1']):
            # The latent space moved (stage 1 trained on): a new run on the new latents, its UNet
            # starting from the old run's averaged weights rather than from scratch.
            log(f'{ckpt_path}: trained on another stage 1 than {args.stage1}; starting a new stage-2 run '
                f'warm-started from its weights')
            warm_start = bundle_io.averaged_state(resumed)
            earlier = bundle_io.earlier_training(resumed)
            resumed = None
        elif offered['fingerprint'] != resumed['config']['stage1']['fingerprint']:
            # Only the decoders changed (a refit): the run goes on, paired with the new stage 1.
            log(f'{ckpt_path}: {args.stage1} has the latent space this run was trained on (new decoders); '
                f'continuing it paired with {args.stage1}')
            resumed['config']['stage1'] = offered

    source = None
    if args.refit_velocity_decoder and (args.kind != 'stage1' or not (args.init_weights or resumed)):
        raise TrainingError('--refit-velocity-decoder refits a trained stage 1: give --init-weights STAGE1 '
                            '(or --resume such a run)')
    if args.joint and (args.kind != 'stage1' or args.refit_velocity_decoder or not (args.init_weights or resumed)):
        raise TrainingError('--joint trains all of a trained stage 1: give --init-weights STAGE1 (or --resume a '
                            'velocity-decoder refit), without --refit-velocity-decoder')
    # A resumed stage 1 of the other kind than the one asked for starts the new run from its averaged weights.
    was_refit = bool(resumed) and resumed['config']['train'].get('refit') == REFIT_VELOCITY_DECODER
    if resumed and ((args.refit_velocity_decoder and not was_refit) or (args.joint and was_refit)):
        refit, joint = 'a velocity-decoder refit', 'a joint stage-1 run'
        was, now = (refit, joint) if was_refit else (joint, refit)
        log(f'{ckpt_path}: {was}; starting {now} from its averaged weights')
        source, warm_start, resumed = resumed, bundle_io.averaged_state(resumed), None
        earlier = bundle_io.earlier_training(source)
    if args.init_weights and not resumed and warm_start is None:
        source = bundle_io.load(args.init_weights)
        if source['kind'] != args.kind:
            raise TrainingError(f'--init-weights {args.init_weights}: holds a {source["kind"]} model, not {args.kind}')
        warm_start = bundle_io.averaged_state(source)
        earlier = bundle_io.earlier_training(source)
        log(f'starting from the weights of {source["path"]}')

    train_set = open_dataset(args.data, require_velocity=args.kind != 'stage2')
    if resumed:
        cfg = resumed['config']
        log('resuming: architecture, normalisation and optimiser settings come from the checkpoint')
        if args.mirror and not cfg['train'].get('mirror'):
            cfg['train']['mirror'] = True
            log(f'--mirror: mirror augmentation from step {resumed["step"]} on')
    else:
        cfg = build_config(args, train_set, stage1=offered)
        if args.refit_velocity_decoder or args.joint:
            cfg = continued_config(cfg, source['config'], args)
    if cfg['train'].get('mirror'):
        if cfg['kind'] == 'stage2':
            raise TrainingError('--mirror is for stage 1 and InversionNet (stage 2 trains on stage 1\'s latents)')
        size = cfg['preprocess']['seismic']['size']
        try:
            # The middle shot's one-receiver move is only right on the recorded receivers themselves.
            check_mirrorable(train_set.seismic_shape[0], train_set.seismic_shape[2])
            if size and size[1] != train_set.seismic_shape[2]:
                raise AugmentError(f'the network\'s seismic has {size[1]} receiver columns, not the '
                                   f'{train_set.seismic_shape[2]} recorded receivers')
        except AugmentError as e:
            raise TrainingError(f'--mirror: {e}') from e
    seed = cfg['train']['seed']
    seed_everything(seed)

    if args.val_data:
        val_set = open_dataset(args.val_data)
        train_idx = np.arange(len(train_set))
        val_idx = np.arange(len(val_set))
    else:
        val_set = train_set
        train_idx, val_idx = split_indices(len(train_set), args.val_fraction, seed)
    val_idx = val_idx[:args.max_val_samples]
    eval_sets = [(name, open_dataset(path)) for name, path in args.eval_data]
    for name, dataset in [('--data', train_set), ('--val-data', val_set)] + [(f'--eval-data {n}', d) for n, d in eval_sets]:
        check_geometry(cfg, dataset, name)
        if getattr(dataset, 'prepared', False):
            dataset.check_matches(cfg['normalization'], cfg['preprocess'], name)
    digests = {'validation': content_digest(val_set, val_idx),
               **{name: content_digest(dataset, np.arange(len(dataset))) for name, dataset in eval_sets}}

    if cfg['kind'] == 'inversionnet' and min(cfg['train']['batch_size'], len(train_idx)) < 2:
        raise TrainingError(f'InversionNet\'s batch norm needs batches of at least 2 samples; --batch-size is '
                            f'{cfg["train"]["batch_size"]} and {len(train_idx)} training sample(s) remain after the '
                            f'held-out split: raise --batch-size or add data')
    task = make_task(cfg, device)
    optimizer = torch.optim.AdamW(task.trainable(), lr=cfg['train']['lr'],
                                  weight_decay=cfg['train']['weight_decay'])
    train_cfg = cfg['train']
    train_cfg.setdefault('cycles', first_cycle(args.steps, train_cfg['lr']))
    sampler = BatchSampler(train_idx, cfg['train']['batch_size'], seed + 1)
    step = 0
    elapsed = 0.0
    samples_seen = 0
    metrics = {}
    if resumed:
        task.load_state_dict(resumed['model_state'])
        optimizer.load_state_dict(resumed['optimizer'])
        for name, extra in task.extra_optimizers().items():
            extra.load_state_dict(resumed['extra_optimizers'][name])
        sampler.load_state_dict(resumed['sampler'])
        step = resumed['step']
        elapsed = resumed['meta'].get('training_time_s', 0.0)
        samples_seen = resumed['meta'].get('samples_seen', 0)
        metrics = resumed['meta'].get('metrics', {})
        earlier = resumed['meta'].get('earlier')
        cycles = extend_cycles(train_cfg['cycles'], step, args.steps, args.lr)
        # The same command again (its --lr the running cycle's peak) continues; another peak is refused.
        if args.lr is not None and len(cycles) == len(train_cfg['cycles']) and float(args.lr) != cycles[-1]['peak_lr']:
            raise TrainingError(f'--lr on --resume sets the peak of the new cycle that a raised --steps starts; this '
                                f'run stands at step {step} of {train_cfg["cycles"][-1]["end"]}')
        train_cfg['cycles'] = cycles
    # Stage 2 encodes its latents; a fresh stage 1 sets its output biases from the data (no RNG used).
    if warm_start:
        try:
            task.warm_start(warm_start, log)
        except RuntimeError as e:
            raise TrainingError(f'the starting weights do not fit this model\'s architecture ({e}); '
                                f'drop --init-weights or use the same settings') from e
    task.prepare(train_set, train_idx, log, fresh=not resumed and warm_start is None)
    ema = (WeightEMA(task.modules(), train_cfg.get('ema_decay', 0.0), fixed=task.fixed_entries())
           if train_cfg.get('ema_decay') else None)
    if ema and resumed and resumed.get('ema'):
        ema.load_state_dict(resumed['ema'])
        ema.copy_fixed(task.modules())
    if resumed:
        set_rng_state(resumed['rng'])
    total = args.steps
    families = sorted(set(train_set.description.get('families') or [cfg['normalization']['seismic'].get('family')]))

    def meta():
        return {'steps': step, 'training_time_s': elapsed, 'samples_seen': samples_seen,
                'device': str(device), 'torch_version': torch.__version__, 'data': train_set.description,
                'val_data': dict(val_set.description, used=len(val_idx),
                                 split='--val-data' if args.val_data else f'val_fraction {args.val_fraction}'),
                'families': families, 'metrics': metrics, 'earlier': earlier}

    def checkpoint():
        state = {'format': 'wavediff_models/checkpoint', 'kind': cfg['kind'], 'config': cfg,
                 'model_state': task.state_dict(), 'optimizer': optimizer.state_dict(),
                 'extra_optimizers': {name: o.state_dict() for name, o in task.extra_optimizers().items()},
                 'sampler': sampler.state_dict(), 'rng': rng_state(), 'step': step, 'meta': meta(),
                 'ema': ema.state_dict() if ema else None}
        atomic_torch_save(state, ckpt_path)
        emitter.emit('checkpoint', step=step, path=os.path.abspath(ckpt_path))
        return state

    def averaged():
        return ema.applied(task.modules()) if ema else contextlib.nullcontext()

    def evaluate():
        task.train(False)
        rng = rng_state()  # evaluation must not shift the training RNG stream
        batch = max(1, cfg['train']['batch_size'])
        with averaged():
            result = task.evaluate(val_set, val_idx, batch)
            emitter.emit('metrics', step=step, split='validation', samples_seen=samples_seen,
                         data=digests['validation'], **result)
            for name, dataset in eval_sets:
                extra = task.evaluate(dataset, np.arange(len(dataset)), batch)
                emitter.emit('metrics', step=step, split=name, samples_seen=samples_seen, data=digests[name], **extra)
                result = dict(result, **{f'{name}/{k}': v for k, v in extra.items() if not isinstance(v, dict)})
        set_rng_state(rng)
        task.train(True)
        return result

    def preview():
        task.train(False)
        rng = rng_state()
        directory = os.path.join(args.out, 'previews', f'step_{step:07d}')
        with averaged():
            files = task.preview(val_set, val_idx, directory)
        set_rng_state(rng)
        task.train(True)
        prune_previews(os.path.join(args.out, 'previews'), args.keep_previews)
        emitter.emit('preview', step=step, dir=os.path.abspath(directory),
                     files={k: os.path.abspath(v) for k, v in files.items()})

    padded_train, padded_val = padded_traces(train_set, train_idx), padded_traces(val_set, val_idx)
    if padded_train or padded_val:
        log(f'{padded_train} padded traces of the training samples and {padded_val} of the held-out ones are '
            f'left out of the seismic loss and metrics (trace masks)')
    emitter.emit('start', protocol_version=PROTOCOL_VERSION, kind=cfg['kind'], step=step, total_steps=total,
                 resumed=bool(resumed), device=str(device), threads=torch.get_num_threads(),
                 torch_version=torch.__version__, parameters=task.parameter_count(),
                 train_samples=len(train_idx), val_samples=len(val_idx), batch_size=cfg['train']['batch_size'],
                 padded_traces=padded_train, held_out_padded_traces=padded_val, earlier=earlier,
                 out=os.path.abspath(args.out), config={k: v for k, v in cfg.items() if k != 'stage1'})
    task.train(True)
    grad_clip = cfg['train']['grad_clip']
    interval_start = time.perf_counter()
    interval_samples = 0
    interval_steps = 0
    last_checkpoint = time.monotonic()
    while step < total and stop.signal is None:
        if args.stop_at is not None and step >= args.stop_at:
            stop.signal = 'stop-at'
            break
        t0 = time.perf_counter()
        for group in optimizer.param_groups:
            group['lr'] = learning_rate(step, train_cfg['cycles'], train_cfg.get('warmup_fraction', 0.0),
                                        train_cfg.get('min_lr_fraction', 1.0))
        indices = sampler.next()
        loss, terms = task.loss(train_set, indices, step=step + 1)
        if not torch.isfinite(loss):
            raise TrainingError(f'loss became {float(loss)} at step {step + 1}; lower --lr or check the data '
                                f'normalisation (--family / --seismic-limits)')
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(task.trainable(), grad_clip)
        optimizer.step()
        terms.update(task.after_step(step + 1))
        if ema:
            ema.update(task.modules())
        step += 1
        samples_seen += len(indices)
        interval_samples += len(indices)
        elapsed += time.perf_counter() - t0
        interval_steps += 1
        if step % args.log_every == 0 or step == total:
            now = time.perf_counter()
            seconds = max(now - interval_start, 1e-9)
            emitter.emit('progress', step=step, total_steps=total, loss=float(loss), lr=_lr(optimizer),
                         samples_per_s=interval_samples / seconds, epoch=samples_seen / len(train_idx),
                         elapsed_s=elapsed, eta_s=(total - step) * seconds / interval_steps, **terms)
            interval_start, interval_samples, interval_steps = now, 0, 0
        if args.preview_every and step % args.preview_every == 0 and step < total:
            preview()
        if args.eval_every and step % args.eval_every == 0 and step < total:
            metrics = evaluate()
        due = args.checkpoint_every and step % args.checkpoint_every == 0
        if args.checkpoint_minutes and time.monotonic() - last_checkpoint >= 60 * args.checkpoint_minutes:
            due = True
        if due and step < total:
            checkpoint()
            last_checkpoint = time.monotonic()
    if stop.signal is not None:
        state = checkpoint()
        emitter.emit('stopped', step=step, total_steps=total, reason=stop.signal, checkpoint=os.path.abspath(ckpt_path))
        return state, False
    preview()
    metrics = evaluate()
    state = checkpoint()
    return state, True


def main(argv=None):
    args = parse_args(argv)
    emitter = Emitter()
    stop = StopFlag()
    stop.install()
    try:
        state, finished = run(args, emitter, stop)
        if not finished:
            return 0
        model_dir = None
        if not args.no_export:
            model_dir = os.path.join(args.out, 'model')
            export_bundle(state, model_dir, emitter)
        emitter.emit('done', kind=state['kind'], step=state['step'], training_time_s=state['meta']['training_time_s'],
                     checkpoint=os.path.abspath(os.path.join(args.out, bundle_io.CHECKPOINT_NAME)),
                     model_dir=os.path.abspath(model_dir) if model_dir else None, metrics=state['meta']['metrics'])
        return 0
    except Exception as e:  # every failure reaches the app as one error message
        log(f'training failed: {type(e).__name__}: {e}')
        if not isinstance(e, (TrainingError, DataError, bundle_io.BundleError)):
            import traceback
            traceback.print_exc(file=sys.stderr)
        emitter.emit('error', message=str(e), error=type(e).__name__)
        return 1
    finally:
        stop.restore()


if __name__ == '__main__':
    sys.exit(main())
