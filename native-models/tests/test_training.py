"""Training, checkpoint/resume, signals, export and evaluation on a small dataset made by the
numpy reference forward model (tests/fixtures.py). Networks are shrunk so the file runs in about
a minute on one core."""
import contextlib
import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

from tests import fixtures
from wavediff_models import bundle as bundle_io
from wavediff_models import export as export_mod
from wavediff_models import pairing
from wavediff_models import train as train_mod
from wavediff_models.data import OpenFWIDataset
from wavediff_models.inversionnet import INVERSIONNET_DEFAULTS, InversionNet
from wavediff_models.onnx_info import read_onnx
from wavediff_models.reference_outputs import write_reference_outputs
from wavediff_models.tasks import make_task

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
THREADS = os.environ.get('WAVEDIFF_TEST_THREADS', '1')

TINY_STAGE1 = ['--seismic-size', '128,32', '--velocity-size', '32,32', '--latent-size', '8,8',
               '--codebook-size', '64', '--codebook-dim', '4', '--base-channels', '8', '--channel-mult', '1,2',
               '--seismic-adapter', 'none', '--velocity-adapter', 'none']
TINY_STAGE2 = ['--base-channels', '16', '--channel-mult', '1,2']
TINY_INVERSIONNET = ['--width', '0.125']

DATA = None
N_DATA = None
WORK = None
STAGE1_OUT = None
STAGE1_LINES = None


def messages(text):
    """Every stdout line must be one JSON object with a 'type'."""
    out = []
    for line in text.splitlines():
        msg = json.loads(line)
        if not isinstance(msg, dict) or 'type' not in msg:
            raise AssertionError(f'not a protocol message: {line}')
        out.append(msg)
    return out


def run_cli(module, args, check=True):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    proc = subprocess.run([PYTHON, '-m', f'wavediff_models.{module}'] + args + ['--threads', THREADS],
                          cwd=PACKAGE_ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f'{module} {args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}')
    return proc


def run_module_main(main, argv):
    """A module's main(argv) in this process (saves the interpreter start-up); returns (rc, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(argv)
    return rc, stdout.getvalue(), stderr.getvalue()


def run_in_process(argv):
    """train.main in this process; returns (rc, messages, stderr)."""
    rc, out, err = run_module_main(train_mod.main, argv + ['--threads', THREADS])
    return rc, messages(out), err


def setUpModule():
    global DATA, N_DATA, WORK, STAGE1_OUT, STAGE1_LINES
    WORK = tempfile.mkdtemp(prefix='wavediff-models-test-')
    DATA = fixtures.dataset_dir(WORK)
    N_DATA = len(OpenFWIDataset(DATA))
    STAGE1_OUT = os.path.join(WORK, 'stage1')
    proc = run_cli('train', ['stage1', '--data', DATA, '--val-data', DATA, '--out', STAGE1_OUT, '--steps', '6',
                             '--batch-size', '2', '--log-every', '2', '--preview-every', '3',
                             '--checkpoint-every', '4'] + TINY_STAGE1)
    STAGE1_LINES = messages(proc.stdout)


def tearDownModule():
    shutil.rmtree(WORK, ignore_errors=True)


def _args(kind, extra):
    return train_mod.parse_args([kind, '--data', DATA, '--out', os.path.join(WORK, 'unused')] + extra)


class TestOverfit(unittest.TestCase):
    """Loss on one fixed batch must fall clearly within a few optimiser steps."""

    def overfit(self, task, loss_fn, steps, lr):
        torch.manual_seed(0)
        opt = torch.optim.AdamW(task.trainable(), lr=lr, weight_decay=0.0)
        task.train(True)
        losses = []
        for _ in range(steps):
            loss = loss_fn()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
        return losses

    def test_stage1_reconstruction_loss_falls(self):
        ds = OpenFWIDataset(DATA)
        torch.manual_seed(0)
        task = make_task(train_mod.build_config(_args('stage1', TINY_STAGE1), ds), torch.device('cpu'))
        batch = np.array([0, 1])
        losses = self.overfit(task, lambda: task.loss(ds, batch)[0], 30, 2e-3)
        self.assertLess(np.mean(losses[-3:]), 0.6 * np.mean(losses[:3]), losses)

    def test_stage2_eps_loss_falls(self):
        ds = OpenFWIDataset(DATA)
        torch.manual_seed(0)
        cfg = train_mod.build_config(_args('stage2', ['--stage1', STAGE1_OUT] + TINY_STAGE2), ds)
        task = make_task(cfg, torch.device('cpu'))
        task.prepare(ds, np.array([0, 1]), lambda m: None)
        x0 = task.latent_table
        gen = torch.Generator().manual_seed(3)
        t = torch.tensor([100, 400])
        eps = torch.randn(x0.shape, generator=gen)

        def loss():
            return torch.nn.functional.mse_loss(task.unet(task.schedule.add_noise(x0, eps, t), t.float()), eps)
        losses = self.overfit(task, loss, 30, 2e-3)
        self.assertLess(np.mean(losses[-3:]), 0.6 * np.mean(losses[:3]), losses)

    def test_inversionnet_l1_falls(self):
        ds = OpenFWIDataset(DATA)
        torch.manual_seed(0)
        task = make_task(train_mod.build_config(_args('inversionnet', TINY_INVERSIONNET), ds), torch.device('cpu'))
        batch = np.array([0, 1])
        losses = self.overfit(task, lambda: task.loss(ds, batch)[0], 40, 1e-3)
        self.assertLess(np.mean(losses[-3:]), 0.6 * np.mean(losses[:3]), losses)

    def test_inversionnet_full_size_parameter_count(self):
        n = sum(p.numel() for p in InversionNet(dict(INVERSIONNET_DEFAULTS, width=1.0)).parameters())
        self.assertTrue(24.0e6 < n < 24.8e6, n)  # OPENFWI.md: about 24.4 M


class TestSizes(unittest.TestCase):
    def test_default_models_fit_the_50_mb_budget(self):
        from wavediff_models.stage1 import STAGE1_DEFAULTS, Stage1Model
        from wavediff_models.stage2 import STAGE2_DEFAULTS, UNet
        models = [Stage1Model(STAGE1_DEFAULTS), UNet(STAGE2_DEFAULTS, STAGE1_DEFAULTS['codebook_dim'],
                                                     STAGE1_DEFAULTS['latent_size']), InversionNet(INVERSIONNET_DEFAULTS)]
        float32_bytes = sum(4 * p.numel() for m in models for p in m.parameters())
        self.assertLess(float32_bytes, 40e6)  # ONNX adds little beyond the weights; 50 MB is the budget


class TestStage1Run(unittest.TestCase):
    def test_protocol_sequence(self):
        types = [m['type'] for m in STAGE1_LINES]
        self.assertEqual(types[0], 'start')
        self.assertEqual(types[-1], 'done')
        self.assertEqual([m['step'] for m in STAGE1_LINES if m['type'] == 'progress'], [2, 4, 6])
        self.assertEqual([m['step'] for m in STAGE1_LINES if m['type'] == 'checkpoint'], [4, 6])
        self.assertEqual([m['step'] for m in STAGE1_LINES if m['type'] == 'preview'], [3, 6])
        for m in STAGE1_LINES:
            if m['type'] == 'progress':
                for key in ('total_steps', 'loss', 'lr', 'samples_per_s', 'eta_s', 'loss_seismic_l1', 'loss_velocity_l1',
                            'loss_vq'):
                    self.assertIn(key, m)
                self.assertTrue(math.isfinite(m['loss']) and m['samples_per_s'] > 0)
            if m['type'] == 'preview':
                for name, path in m['files'].items():
                    arr = np.load(path)
                    self.assertEqual(arr.dtype, np.float32)
                    self.assertEqual(arr.shape, (128, 32) if name.startswith('seismic') else (32, 32), name)
                diff = np.load(m['files']['velocity_difference'])
                np.testing.assert_allclose(diff, np.load(m['files']['velocity_reconstruction'])
                                           - np.load(m['files']['velocity_target']), atol=1e-6)
        metrics = [m for m in STAGE1_LINES if m['type'] == 'metrics'][-1]
        for key in ('velocity_mae', 'velocity_rmse', 'velocity_ssim', 'seismic_relative_l2'):
            self.assertIn(key, metrics)
        self.assertEqual(metrics['samples'], N_DATA)

    def test_export_declares_manifest_shapes(self):
        model_dir = os.path.join(STAGE1_OUT, 'model')
        with open(os.path.join(model_dir, 'manifest.json')) as f:
            manifest = json.load(f)
        self.assertEqual(manifest['kind'], 'stage1')
        self.assertEqual(sorted(manifest['graphs']), ['decoder_seismic', 'decoder_velocity', 'encoder', 'quantizer'])
        expected = {
            'encoder': ([['batch', 5, 128, 32]], [['batch', 4, 8, 8]]),
            'quantizer': ([['batch', 4, 8, 8]], [['batch', 4, 8, 8], ['batch', 8, 8]]),
            'decoder_seismic': ([['batch', 4, 8, 8]], [['batch', 5, 128, 32]]),
            'decoder_velocity': ([['batch', 4, 8, 8]], [['batch', 1, 32, 32]]),
        }
        total_bytes = 0
        for name, (ins, outs) in expected.items():
            info = read_onnx(os.path.join(model_dir, manifest['graphs'][name]['file']))
            self.assertEqual([i['shape'] for i in info['inputs']], ins, name)
            self.assertEqual([o['shape'] for o in info['outputs']], outs, name)
            self.assertEqual([i['shape'] for i in manifest['graphs'][name]['inputs']], ins, name)
            self.assertEqual(info['opsets'][''], 17)
            total_bytes += os.path.getsize(os.path.join(model_dir, manifest['graphs'][name]['file']))
        self.assertEqual(read_onnx(os.path.join(model_dir, 'quantizer.onnx'))['outputs'][1]['dtype'], 'int64')
        self.assertEqual(manifest['normalization']['seismic']['raw_min'], -26.95)
        self.assertEqual(manifest['preprocess']['seismic']['size'], [128, 32])
        self.assertEqual(manifest['training']['steps'], 6)
        self.assertEqual(manifest['training']['data']['N'], N_DATA)
        self.assertIn('velocity_ssim', manifest['metrics'])
        self.assertLess(total_bytes, 5e6)

    def test_evaluate_reproduces_training_metrics(self):
        done = STAGE1_LINES[-1]
        proc = run_cli('evaluate', ['--model', os.path.join(STAGE1_OUT, 'model'), '--data', DATA, '--json'])
        result = json.loads(proc.stdout)
        for key in ('velocity_mae', 'velocity_rmse', 'velocity_ssim', 'seismic_relative_l2'):
            self.assertAlmostEqual(result['metrics'][key], done['metrics'][key], places=5, msg=key)

    def test_evaluate_profile_adds_up_to_the_metrics(self):
        """--profile's bands split the cells and the error the metrics pool: their cell-weighted MAE in m/s
        is the velocity MAE on [-1, 1] times 1500 (OpenFWI's 3000 m/s range over a width of 2)."""
        proc = run_cli('evaluate', ['--model', os.path.join(STAGE1_OUT, 'model'), '--data', DATA, '--json',
                                    '--profile'])
        result = json.loads(proc.stdout)
        profile = result['error_profile']
        bands = profile['by_true_velocity']
        self.assertAlmostEqual(sum(b['cells'] for b in bands), 1.0, places=9)
        self.assertAlmostEqual(sum(b['cells'] * b['mae_mps'] for b in bands), result['metrics']['velocity_mae'] * 1500,
                               places=2)
        self.assertAlmostEqual(profile['mae_mps'], result['metrics']['velocity_mae'] * 1500, places=2)
        self.assertEqual(profile['samples'], N_DATA)
        self.assertEqual([d['rows'] for d in profile['by_depth']][:2], [[0, 10], [10, 20]])

    def test_evaluate_refuses_other_geometry(self):
        other = os.path.join(WORK, 'three-sources')
        os.makedirs(other, exist_ok=True)
        np.save(os.path.join(other, 'data1.npy'), np.load(os.path.join(DATA, 'data1.npy'))[:2, :3])
        np.save(os.path.join(other, 'model1.npy'), np.load(os.path.join(DATA, 'model1.npy'))[:2])
        proc = run_cli('evaluate', ['--model', os.path.join(STAGE1_OUT, 'model'), '--data', other, '--json'],
                       check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('3 sources per sample', json.loads(proc.stdout)['error'])

    def test_reference_outputs_chain_and_batch(self):
        out = os.path.join(WORK, 'reference')
        with contextlib.redirect_stderr(io.StringIO()):
            index = write_reference_outputs(os.path.join(STAGE1_OUT, 'model'), out, seed=0, batch=3)
        g = index['graphs']
        latent = np.load(os.path.join(out, g['encoder']['outputs']['latent']))
        self.assertEqual(latent.shape, (3, 4, 8, 8))
        np.testing.assert_array_equal(latent, np.load(os.path.join(out, g['quantizer']['inputs']['latent'])))
        quantised = np.load(os.path.join(out, g['quantizer']['outputs']['latent_quantized']))
        np.testing.assert_array_equal(quantised, np.load(os.path.join(out, g['decoder_velocity']['inputs']['latent_quantized'])))
        self.assertEqual(np.load(os.path.join(out, g['quantizer']['outputs']['codes'])).dtype, np.int64)
        self.assertEqual(np.load(os.path.join(out, g['decoder_seismic']['outputs']['seismic'])).shape, (3, 5, 128, 32))
        # Same seed, same files.
        again = os.path.join(WORK, 'reference2')
        with contextlib.redirect_stderr(io.StringIO()):
            write_reference_outputs(os.path.join(STAGE1_OUT, 'model'), again, seed=0, batch=3)
        f = g['decoder_velocity']['outputs']['velocity']
        np.testing.assert_array_equal(np.load(os.path.join(out, f)), np.load(os.path.join(again, f)))

    def test_export_command(self):
        out = os.path.join(WORK, 'exported')
        proc = run_cli('export', ['stage1', '--checkpoint', STAGE1_OUT, '--out', out])
        lines = messages(proc.stdout)
        self.assertEqual([m['type'] for m in lines], ['export', 'done'])
        self.assertTrue(os.path.exists(os.path.join(out, 'decoder_velocity.onnx')))
        wrong = run_cli('export', ['inversionnet', '--checkpoint', STAGE1_OUT, '--out', out], check=False)
        self.assertEqual(wrong.returncode, 1)
        self.assertEqual(messages(wrong.stdout)[-1]['type'], 'error')


class TestInitWeights(unittest.TestCase):
    def test_new_run_starts_from_given_weights_of_the_same_kind(self):
        source = bundle_io.averaged_state(bundle_io.load(STAGE1_OUT))['model']
        out = os.path.join(WORK, 'stage1-init')
        rc, lines, err = run_in_process(['stage1', '--data', DATA, '--out', out, '--steps', '1', '--batch-size', '2',
                                         '--no-export', '--init-weights', STAGE1_OUT] + TINY_STAGE1)
        self.assertEqual(rc, 0, err)
        self.assertIn('starting from the weights of', err)
        # The run records the training it builds on: the source's 6 steps of batch 2.
        source_meta = bundle_io.load(STAGE1_OUT)['meta']
        earlier = bundle_io.load(out)['meta']['earlier']
        self.assertEqual((earlier['runs'], earlier['steps'], earlier['samples_seen']), (1, 6, 12))
        self.assertAlmostEqual(earlier['training_time_s'], source_meta['training_time_s'])
        started = bundle_io.load(out)['model_state']['model']
        # One small AdamW step from the source weights (the quantiser's codebook moves by its own EMA
        # and dead-code restarts, so only trained parameters are compared).
        change = max(float((started[k] - v).abs().max()) for k, v in source.items()
                     if v.dtype.is_floating_point and not k.startswith('quantizer.'))
        self.assertLess(change, 0.05)
        rc, lines, _ = run_in_process(['inversionnet', '--data', DATA, '--out', os.path.join(WORK, 'inv-init'),
                                       '--init-weights', STAGE1_OUT] + TINY_INVERSIONNET)
        self.assertEqual(rc, 1)
        self.assertIn('holds a stage1 model, not inversionnet', lines[-1]['message'])


class TestStage2Run(unittest.TestCase):
    def test_resume_on_a_retrained_stage1_warm_starts_a_new_run(self):
        out = os.path.join(WORK, 'stage2-warm')
        common = ['stage2', '--data', DATA, '--out', out, '--batch-size', '2', '--log-every', '1',
                  '--no-export'] + TINY_STAGE2
        rc, _, err = run_in_process(common + ['--stage1', STAGE1_OUT, '--steps', '2'])
        self.assertEqual(rc, 0, err)
        before = bundle_io.averaged_state(bundle_io.load(out))['unet']
        other = os.path.join(WORK, 'stage1-other')  # the same stage 1 trained one step further
        rc, _, err = run_in_process(['stage1', '--data', DATA, '--out', other, '--steps', '7', '--batch-size', '2',
                                     '--seed', '5', '--no-export'] + TINY_STAGE1)
        self.assertEqual(rc, 0, err)
        rc, lines, err = run_in_process(common + ['--stage1', other, '--steps', '3', '--resume'])
        self.assertEqual(rc, 0, err)
        self.assertIn('another stage 1', err)
        self.assertEqual(bundle_io.load(out)['meta']['earlier']['steps'], 2)
        self.assertFalse(lines[0]['resumed'])
        self.assertEqual(lines[0]['step'], 0)
        after = bundle_io.load(out)
        self.assertEqual(after['step'], 3)
        self.assertEqual(after['config']['stage1']['source'], bundle_io.load(other)['path'])
        # The new run started from the old weights: three small AdamW steps away from them.
        first_change = max(float((after['model_state']['unet'][k] - v).abs().max()) for k, v in before.items()
                           if v.dtype.is_floating_point)
        self.assertLess(first_change, 0.05)

    def test_train_and_export_denoiser(self):
        out = os.path.join(WORK, 'stage2')
        rc, lines, err = run_in_process(['stage2', '--data', DATA, '--stage1', STAGE1_OUT, '--out', out,
                                         '--steps', '3', '--batch-size', '2', '--log-every', '1'] + TINY_STAGE2)
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines[-1]['type'], 'done')
        metrics = [m for m in lines if m['type'] == 'metrics'][-1]
        self.assertEqual(sorted(metrics['eps_mse_by_timestep']), ['250', '50', '500', '750', '950'])
        with open(os.path.join(out, 'model', 'manifest.json')) as f:
            manifest = json.load(f)
        self.assertEqual(manifest['schedule'], {
            'type': 'linear', 'beta_start': 0.0015, 'beta_end': 0.0155, 'num_train_timesteps': 1000,
            'prediction': 'eps', 'timestep_input': 'float32 [B], integer step index 0..num_train_timesteps-1'})
        with open(os.path.join(STAGE1_OUT, 'model', 'manifest.json')) as f:
            s1 = json.load(f)
        self.assertEqual(manifest['stage1']['fingerprint'], s1['latent']['fingerprint'])
        self.assertGreater(manifest['latent']['scale'], 0)
        info = read_onnx(os.path.join(out, 'model', 'denoiser.onnx'))
        self.assertEqual([(i['name'], i['shape'], i['dtype']) for i in info['inputs']],
                         [('x_t', ['batch', 4, 8, 8], 'float32'), ('timestep', ['batch'], 'float32')])
        self.assertEqual(info['outputs'][0]['shape'], ['batch', 4, 8, 8])
        self.assertIn('MatMul', info['ops'])  # attention at the lowest level is in the graph
        sample = np.load([m for m in lines if m['type'] == 'preview'][-1]['files']['sample_velocity'])
        self.assertEqual(sample.shape, (32, 32))
        self.assertTrue(np.all(np.abs(sample) <= 1.0))


class TestVelocityDecoderRefit(unittest.TestCase):
    def assert_latent_parts_kept(self, source, out):
        """Encoder, quantiser and seismic decoder are the source's bit for bit, live and in the weight
        average the run evaluates and exports (averaging a constant would drift it by rounding)."""
        run = bundle_io.load(out)
        started = run['model_state']['model']
        averaged = bundle_io.averaged_state(run)['model']
        for key, value in bundle_io.averaged_state(bundle_io.load(source))['model'].items():
            if not key.startswith('decoder_velocity.'):
                self.assertTrue(torch.equal(started[key], value), key)
                self.assertTrue(torch.equal(averaged[key], value), key)
        return started

    def test_refit_trains_a_wider_velocity_decoder_on_fixed_latents(self):
        out = os.path.join(WORK, 'refit')
        common = ['stage1', '--data', DATA, '--out', out, '--batch-size', '2', '--log-every', '1',
                  '--refit-velocity-decoder', '--velocity-base-channels', '16']
        rc, lines, err = run_in_process(common + ['--steps', '3', '--stop-at', '2', '--init-weights', STAGE1_OUT])
        self.assertEqual(rc, 0, err)
        self.assertIn('starts afresh (another width)', err)
        started = self.assert_latent_parts_kept(STAGE1_OUT, out)
        # The source's model settings (TINY_STAGE1, not the defaults) with the decoder 16 channels wide.
        cfg = lines[0]['config']
        self.assertEqual(cfg['model']['latent_size'], [8, 8])
        self.assertEqual(cfg['model']['velocity_base_channels'], 16)
        self.assertEqual(cfg['train']['refit'], 'velocity_decoder')
        self.assertEqual(started['decoder_velocity.conv_out.weight'].shape[1], 16)  # was 8 (--base-channels)
        self.assertEqual([k for k in lines[1] if k.startswith('loss_')], ['loss_velocity_l1'])
        rc, lines, err = run_in_process(common + ['--steps', '3', '--resume'])
        self.assertEqual(rc, 0, err)
        self.assertTrue(lines[0]['resumed'])
        self.assert_latent_parts_kept(STAGE1_OUT, out)
        with open(os.path.join(out, 'model', 'manifest.json')) as f:
            manifest = json.load(f)
        self.assertIn('decoder_velocity', manifest['graphs'])
        # Three refit steps on top of the joint run's six, kept over the resume.
        self.assertEqual(manifest['training']['steps'], 3)
        self.assertEqual((manifest['training']['earlier']['runs'], manifest['training']['earlier']['steps']), (1, 6))

    def test_resume_of_a_joint_run_with_refit_starts_the_refit(self):
        out = os.path.join(WORK, 'refit-from-joint')
        shutil.copytree(STAGE1_OUT, out)
        rc, lines, err = run_in_process(['stage1', '--data', DATA, '--out', out, '--batch-size', '2', '--steps', '1',
                                         '--no-export', '--resume', '--refit-velocity-decoder'])
        self.assertEqual(rc, 0, err)
        self.assertIn('a joint stage-1 run; starting a velocity-decoder refit', err)
        self.assertIn('continues from the starting weights', err)
        self.assertEqual((lines[0]['resumed'], lines[0]['step']), (False, 0))
        self.assert_latent_parts_kept(STAGE1_OUT, out)

    def test_resume_of_a_refit_with_joint_trains_all_of_stage1(self):
        out = os.path.join(WORK, 'joint-from-refit')
        common = ['stage1', '--data', DATA, '--out', out, '--batch-size', '2', '--no-export', '--log-every', '1']
        rc, _, err = run_in_process(common + ['--steps', '1', '--init-weights', STAGE1_OUT,
                                              '--refit-velocity-decoder', '--velocity-base-channels', '16'])
        self.assertEqual(rc, 0, err)
        refit = bundle_io.load(out)
        rc, lines, err = run_in_process(common + ['--steps', '2', '--resume', '--joint', '--velocity-weight', '2'])
        self.assertEqual(rc, 0, err)
        self.assertIn('a velocity-decoder refit; starting a joint stage-1 run', err)
        self.assertEqual((lines[0]['resumed'], lines[0]['step']), (False, 0))
        cfg = lines[0]['config']
        self.assertNotIn('refit', cfg['train'])
        # The refit's architecture (TINY_STAGE1, its 16-channel velocity decoder), the weight given.
        self.assertEqual((cfg['model']['latent_size'], cfg['model']['velocity_base_channels']), ([8, 8], 16))
        self.assertEqual(cfg['model']['velocity_weight'], 2)
        self.assertIn('loss_seismic_l1', [m for m in lines if m['type'] == 'progress'][0])
        # Every part moved from the refit's averaged weights, the encoder and quantiser included.
        source = bundle_io.averaged_state(refit)['model']
        joint = bundle_io.load(out)['model_state']['model']
        for part in ('encoder.', 'quantizer.codebook', 'decoder_seismic.', 'decoder_velocity.'):
            keys = [k for k in source if k.startswith(part) and source[k].is_floating_point()]
            self.assertTrue(any(not torch.equal(source[k], joint[k]) for k in keys), part)
        earlier = bundle_io.load(out)['meta']['earlier']
        self.assertEqual((earlier['runs'], earlier['steps']), (2, 7))  # the refit's step on the joint run's six
        # Resumed again, it is the joint run that continues.
        rc, lines, err = run_in_process(common + ['--steps', '3', '--resume', '--joint'])
        self.assertEqual(rc, 0, err)
        self.assertEqual((lines[0]['resumed'], lines[0]['step']), (True, 2))

    def test_joint_keeps_the_source_decoder_width(self):
        rc, lines, _ = run_in_process(['stage1', '--data', DATA, '--out', os.path.join(WORK, 'joint-wider'),
                                       '--init-weights', STAGE1_OUT, '--joint', '--velocity-base-channels', '16'])
        self.assertEqual(rc, 1)
        self.assertIn('its velocity decoder has 8 base channels, not 16', lines[-1]['message'])

    def test_refit_needs_a_trained_stage1(self):
        rc, lines, _ = run_in_process(['stage1', '--data', DATA, '--out', os.path.join(WORK, 'refit-none'),
                                       '--refit-velocity-decoder'] + TINY_STAGE1)
        self.assertEqual(rc, 1)
        self.assertIn('give --init-weights STAGE1', lines[-1]['message'])


class TestStage2Pairing(unittest.TestCase):
    """A stage-2 model fits every stage 1 of the latent space it was trained on: a velocity-decoder
    refit keeps it (re-paired, not retrained); a stage 1 trained further does not."""

    @classmethod
    def setUpClass(cls):
        cls.stage2 = os.path.join(WORK, 'pairing-stage2')
        cls.refit = os.path.join(WORK, 'pairing-refit')
        cls.further = os.path.join(WORK, 'pairing-further')
        for argv in (['stage2', '--out', cls.stage2, '--stage1', STAGE1_OUT, '--steps', '2'] + TINY_STAGE2,
                     ['stage1', '--out', cls.refit, '--init-weights', STAGE1_OUT, '--steps', '2',
                      '--refit-velocity-decoder'],
                     ['stage1', '--out', cls.further, '--init-weights', STAGE1_OUT, '--steps', '1'] + TINY_STAGE1):
            rc, _, err = run_in_process(argv + ['--data', DATA, '--batch-size', '2'])
            assert rc == 0, err

    def manifest(self, folder):
        with open(os.path.join(folder, 'model', 'manifest.json')) as f:
            return json.load(f)

    def test_the_latent_space_fingerprint_follows_encoder_and_quantiser_only(self):
        source, refit, further = (self.manifest(f)['latent'] for f in (STAGE1_OUT, self.refit, self.further))
        self.assertNotEqual(refit['fingerprint'], source['fingerprint'])
        self.assertEqual(refit['space_fingerprint'], source['space_fingerprint'])
        self.assertNotEqual(further['space_fingerprint'], source['space_fingerprint'])
        self.assertEqual(self.manifest(self.stage2)['stage1']['latent_space_fingerprint'], source['space_fingerprint'])

    def test_pairing_command_exits_like_cmp(self):
        rc, out, _ = run_module_main(pairing.main, [self.stage2, self.refit])
        self.assertEqual(rc, 0)
        self.assertTrue(json.loads(out)['same_latent_space'])
        rc, out, _ = run_module_main(pairing.main, [self.stage2, self.further])
        self.assertEqual(rc, 1)
        self.assertFalse(json.loads(out)['same_latent_space'])
        rc, _, err = run_module_main(pairing.main, [self.stage2, os.path.join(WORK, 'no-such-run')])
        self.assertEqual(rc, 2)
        self.assertIn('no-such-run', err)

    def test_export_re_pairs_with_a_refit_and_refuses_another_latent_space(self):
        out = os.path.join(WORK, 'pairing-export')
        rc, _, err = run_module_main(export_mod.main, ['stage2', '--checkpoint', self.stage2, '--stage1', self.refit,
                                                       '--out', out])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(out, 'manifest.json')) as f:
            repaired = json.load(f)
        refit = self.manifest(self.refit)['latent']
        self.assertEqual(repaired['stage1']['fingerprint'], refit['fingerprint'])
        self.assertEqual(repaired['stage1']['latent_space_fingerprint'], refit['space_fingerprint'])
        # The denoiser is the trained one: same graph bytes as the run's own export.
        self.assertEqual(repaired['graphs']['denoiser']['sha256'], self.manifest(self.stage2)['graphs']['denoiser']['sha256'])
        rc, _, err = run_module_main(export_mod.main, ['stage2', '--checkpoint', self.stage2, '--stage1', self.further,
                                                       '--out', os.path.join(WORK, 'pairing-refused')])
        self.assertEqual(rc, 1)
        self.assertIn('another latent space', err)

    def test_resume_with_a_refit_continues_the_run(self):
        out = os.path.join(WORK, 'pairing-resume')
        shutil.copytree(self.stage2, out)
        rc, lines, err = run_in_process(['stage2', '--data', DATA, '--out', out, '--stage1', self.refit, '--steps', '3',
                                         '--batch-size', '2', '--resume', '--no-export'] + TINY_STAGE2)
        self.assertEqual(rc, 0, err)
        self.assertIn('continuing it paired with', err)
        self.assertEqual((lines[0]['resumed'], lines[0]['step']), (True, 2))
        self.assertEqual(bundle_io.load(out)['config']['stage1']['source'], bundle_io.load(self.refit)['path'])


class TestMirrorOption(unittest.TestCase):
    def test_mirror_is_kept_by_the_checkpoint(self):
        out = os.path.join(WORK, 'mirror')
        common = ['inversionnet', '--data', DATA, '--out', out, '--batch-size', '2', '--no-export'] + TINY_INVERSIONNET
        rc, _, err = run_in_process(common + ['--steps', '2'])
        self.assertEqual(rc, 0, err)
        self.assertNotIn('mirror', bundle_io.load(out)['config']['train'])
        rc, lines, err = run_in_process(common + ['--steps', '4', '--resume', '--mirror'])
        self.assertEqual(rc, 0, err)
        self.assertIn('mirror augmentation from step 2 on', err)
        self.assertTrue(bundle_io.load(out)['config']['train']['mirror'])

    def test_mirror_needs_the_recorded_receivers(self):
        # TINY_STAGE1 resizes the 70 receivers to 32 columns: the middle shot's move would be wrong.
        rc, lines, _ = run_in_process(['stage1', '--data', DATA, '--out', os.path.join(WORK, 'mirror-32'),
                                       '--mirror'] + TINY_STAGE1)
        self.assertEqual(rc, 1)
        self.assertIn('32 receiver columns', lines[-1]['message'])


class TestResume(unittest.TestCase):
    def assert_same_state(self, a, b):
        ca, cb = bundle_io.load(a), bundle_io.load(b)
        self.assertEqual(ca['step'], cb['step'])
        for module, state in ca['model_state'].items():
            for key, value in state.items():
                self.assertTrue(torch.equal(value, cb['model_state'][module][key]), f'{module}.{key}')
        for pid, st in ca['optimizer']['state'].items():
            for key in ('exp_avg', 'exp_avg_sq'):
                self.assertTrue(torch.equal(st[key], cb['optimizer']['state'][pid][key]), f'optimizer {pid} {key}')
        for name, opt in ca.get('extra_optimizers', {}).items():
            for pid, st in opt['state'].items():
                self.assertTrue(torch.equal(st['exp_avg'], cb['extra_optimizers'][name]['state'][pid]['exp_avg']),
                                f'{name} optimizer {pid}')
        self.assertTrue(torch.equal(ca['rng']['torch'], cb['rng']['torch']))
        self.assertEqual(ca['ema']['updates'], cb['ema']['updates'])
        for module, state in ca['ema']['shadow'].items():
            for key, value in state.items():
                self.assertTrue(torch.equal(value, cb['ema']['shadow'][module][key]), f'ema {module}.{key}')

    def check(self, kind, extra):
        tag = kind + ('-adv' if '--adversarial-weight' in extra else '')
        straight = os.path.join(WORK, f'{tag}-straight')
        split = os.path.join(WORK, f'{tag}-split')
        common = [kind, '--data', DATA, '--batch-size', '2', '--no-export', '--log-every', '1'] + extra
        rc, _, err = run_in_process(common + ['--out', straight, '--steps', '5'])
        self.assertEqual(rc, 0, err)
        rc, lines, err = run_in_process(common + ['--out', split, '--steps', '5', '--stop-at', '2'])
        self.assertEqual(lines[-1]['type'], 'stopped')
        self.assertEqual(rc, 0, err)
        rc, lines, err = run_in_process(common + ['--out', split, '--steps', '5', '--resume'])
        self.assertEqual(rc, 0, err)
        self.assertTrue(lines[0]['resumed'])
        self.assertEqual(lines[0]['step'], 2)
        self.assertEqual([m['step'] for m in lines if m['type'] == 'progress'], [3, 4, 5])
        self.assert_same_state(straight, split)
        return lines

    def test_stage1_resume_is_exact(self):
        self.check('stage1', TINY_STAGE1)

    def test_stage1_adversarial_term_and_resume(self):
        # The critic starts at step 2, before the split, so its optimiser state must survive the resume.
        lines = self.check('stage1', TINY_STAGE1 + ['--adversarial-weight', '0.1', '--adversarial-start', '2'])
        progress = {m['step']: m for m in lines if m['type'] == 'progress'}
        for step in (3, 4, 5):
            self.assertIn('loss_adversarial', progress[step])
            self.assertGreater(progress[step]['loss_discriminator'], 0.0)
        self.assertIn('discriminator', bundle_io.load(os.path.join(WORK, 'stage1-adv-split'))['model_state'])

    def test_inversionnet_resume_is_exact(self):
        self.check('inversionnet', TINY_INVERSIONNET)

    def test_raised_steps_start_a_new_cycle_at_the_given_peak(self):
        out = os.path.join(WORK, 'cycles')
        common = ['inversionnet', '--data', DATA, '--out', out, '--batch-size', '2', '--no-export',
                  '--log-every', '1'] + TINY_INVERSIONNET
        rc, _, err = run_in_process(common + ['--steps', '4', '--lr', '0.001', '--stop-at', '2'])
        self.assertEqual(rc, 0, err)
        # Raised from 4 to 8 at step 2: the new cycle [2, 8) replaces the rest of [0, 4) and peaks at --lr.
        rc, lines, err = run_in_process(common + ['--steps', '8', '--lr', '0.004', '--resume'])
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines[0]['config']['train']['cycles'],
                         [{'start': 0, 'end': 4, 'peak_lr': 0.001}, {'start': 2, 'end': 8, 'peak_lr': 0.004}])
        lr = {m['step']: m['lr'] for m in lines if m['type'] == 'progress'}
        # Progress line k reports optimiser step k - 1. Warm-up ceil(0.05 * 6) = 1 step at the peak, then
        # cosine over the other 5 steps towards 0.02 of it.
        self.assertAlmostEqual(lr[3], 0.004)
        self.assertAlmostEqual(lr[4], 0.004)
        self.assertAlmostEqual(lr[8], 0.004 * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * 4 / 5))))
        rc, lines, _ = run_in_process(common + ['--steps', '8', '--lr', '0.002', '--resume'])
        self.assertEqual(rc, 1)
        self.assertIn('raised --steps', lines[-1]['message'])
        # The command that started the cycle, run again after an interruption, continues it.
        rc, lines, err = run_in_process(common + ['--steps', '8', '--lr', '0.004', '--resume'])
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines[0]['config']['train']['cycles'],
                         [{'start': 0, 'end': 4, 'peak_lr': 0.001}, {'start': 2, 'end': 8, 'peak_lr': 0.004}])

    def test_existing_checkpoint_needs_resume(self):
        rc, lines, _ = run_in_process(['stage1', '--data', DATA, '--out', STAGE1_OUT, '--steps', '1'] + TINY_STAGE1)
        self.assertEqual(rc, 1)
        self.assertEqual(lines[-1]['type'], 'error')
        self.assertIn('--resume', lines[-1]['message'])

    def test_inversionnet_refuses_batch_of_one(self):
        rc, lines, _ = run_in_process(['inversionnet', '--data', DATA, '--out', os.path.join(WORK, 'bn1'),
                                       '--batch-size', '1'] + TINY_INVERSIONNET)
        self.assertEqual(rc, 1)
        self.assertIn('--batch-size', lines[-1]['message'])

    def test_missing_data_is_an_error_message(self):
        rc, lines, _ = run_in_process(['inversionnet', '--data', os.path.join(WORK, 'nowhere'),
                                       '--out', os.path.join(WORK, 'err')])
        self.assertEqual(rc, 1)
        self.assertEqual([m['type'] for m in lines], ['error'])
        self.assertIn('nowhere', lines[0]['message'])


class TestSignals(unittest.TestCase):
    def test_sigterm_saves_checkpoint_and_exits_cleanly(self):
        out = os.path.join(WORK, 'sigterm')
        env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
        proc = subprocess.Popen([PYTHON, '-m', 'wavediff_models.train', 'inversionnet', '--data', DATA, '--out', out,
                                 '--steps', '100000', '--batch-size', '2', '--log-every', '1', '--threads', THREADS]
                                + TINY_INVERSIONNET, cwd=PACKAGE_ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            seen = []
            for line in proc.stdout:  # wait for the first progress event, then ask it to stop
                seen.append(json.loads(line))
                if seen[-1]['type'] == 'progress':
                    proc.send_signal(signal.SIGTERM)
                    break
            rest = messages(proc.stdout.read())
            rc = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        self.assertEqual(rc, 0)
        self.assertEqual([m['type'] for m in rest][-2:], ['checkpoint', 'stopped'])
        stopped = rest[-1]
        self.assertEqual(stopped['reason'], 'SIGTERM')
        self.assertGreaterEqual(stopped['step'], 1)
        self.assertEqual(bundle_io.load(out)['step'], stopped['step'])
        rc, lines, err = run_in_process(['inversionnet', '--data', DATA, '--out', out, '--resume',
                                         '--steps', str(stopped['step'] + 1), '--batch-size', '2'] + TINY_INVERSIONNET)
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines[-1]['type'], 'done')
        self.assertEqual(lines[-1]['step'], stopped['step'] + 1)
        # The finished run exported InversionNet on the time-averaged grid, receivers kept.
        info = read_onnx(os.path.join(out, 'model', 'inversionnet.onnx'))
        self.assertEqual([(i['name'], i['shape']) for i in info['inputs']], [('seismic', ['batch', 5, 250, 70])])
        self.assertEqual([(o['name'], o['shape']) for o in info['outputs']], [('velocity', ['batch', 1, 70, 70])])
        with open(os.path.join(out, 'model', 'manifest.json')) as f:
            manifest = json.load(f)
        self.assertEqual(manifest['preprocess']['seismic']['size'], [250, 70])
        self.assertEqual(manifest['training']['data']['seismic_shape'], [5, 1000, 70])
        self.assertEqual(manifest['training']['steps'], stopped['step'] + 1)


if __name__ == '__main__':
    unittest.main()
