"""Padded traces (trace masks) are left out of stage 1's seismic loss and held-out seismic metrics:
checked against the same sums written out in numpy over the recorded traces only."""
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from wavediff_models import train as train_mod
from wavediff_models.data import OpenFWIDataset
from wavediff_models.tasks import make_task, masked_l1

SOURCES, TIME, RECEIVERS, GRID = 5, 64, 16, 16
TINY_STAGE1 = ['--velocity-size', f'{GRID},{GRID}', '--latent-size', '4,4', '--codebook-size', '16',
               '--codebook-dim', '4', '--base-channels', '8', '--channel-mult', '1,2',
               '--seismic-adapter', 'none', '--velocity-adapter', 'none']


class TestMaskedL1(unittest.TestCase):
    def test_mean_over_recorded_entries_only(self):
        gen = torch.Generator().manual_seed(0)
        pred, target = torch.randn(3, 2, 5, 4, generator=gen), torch.randn(3, 2, 5, 4, generator=gen)
        recorded = np.ones((3, 2, 4), bool)
        recorded[0, 1, 3] = recorded[2, :, 0] = False
        weights = torch.from_numpy(recorded.astype(np.float32))[:, :, None, :]
        error = np.abs(pred.numpy() - target.numpy())
        expected = error.transpose(0, 1, 3, 2)[recorded].mean()
        self.assertAlmostEqual(float(masked_l1(pred, target, weights)), float(expected), places=6)
        self.assertAlmostEqual(float(masked_l1(pred, target, None)), float(F.l1_loss(pred, target)), places=7)


class TestStage1WithPaddedTraces(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='wavediff-masks-')
        rng = np.random.RandomState(4)
        seismic = rng.normal(0, 3, (4, SOURCES, TIME, RECEIVERS)).astype(np.float32)
        # The padded traces are zeros, as an import writes them: the last two receivers of every
        # gather and the first of sample 1's source 3.
        self.mask = np.ones((4, SOURCES, RECEIVERS), np.uint8)
        self.mask[:, :, -2:] = 0
        self.mask[1, 3, 0] = 0
        seismic *= self.mask[:, :, None, :]
        velocity = rng.uniform(1500, 4500, (4, 1, GRID, GRID)).astype(np.float32)
        np.save(os.path.join(self.dir, 'data1.npy'), seismic)
        np.save(os.path.join(self.dir, 'model1.npy'), velocity)
        np.save(os.path.join(self.dir, 'data1.tracemask.npy'), self.mask)
        self.dataset = OpenFWIDataset(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def task(self, seismic_size):
        args = train_mod.parse_args(['stage1', '--data', self.dir, '--out', os.path.join(self.dir, 'out'),
                                     '--seismic-size', seismic_size] + TINY_STAGE1)
        torch.manual_seed(0)
        task = make_task(train_mod.build_config(args, self.dataset), torch.device('cpu'))
        task.train(False)  # no codebook updates: the forward passes below see the same weights
        return task

    def test_seismic_loss_leaves_out_padded_traces(self):
        task = self.task(f'{TIME},{RECEIVERS}')
        idx = np.array([0, 1, 3])
        _, terms = task.loss(self.dataset, idx)
        with torch.no_grad():
            seismic = task.seismic(self.dataset, idx)
            seis_hat = task.model(seismic)[0]
        error = np.abs(seis_hat.numpy() - seismic.numpy()).transpose(0, 1, 3, 2)  # [B, S, R, T]
        recorded = self.mask[idx].astype(bool)
        self.assertAlmostEqual(terms['loss_seismic_l1'], float(error[recorded].mean()), places=5)
        # The padded traces would have counted otherwise.
        self.assertGreater(abs(terms['loss_seismic_l1'] - float(error.mean())), 1e-3)

    def test_held_out_relative_l2_leaves_out_padded_traces(self):
        task = self.task(f'{TIME},{RECEIVERS}')
        idx = np.array([1, 2])
        metrics = task.evaluate(self.dataset, idx, 2)
        with torch.no_grad():
            seismic = task.seismic(self.dataset, idx)
            seis_hat = task.reconstruct(seismic)[0]
        w = self.mask[idx][:, :, None, :].astype(np.float64)
        s, sh = seismic.numpy() * w, seis_hat.numpy() * w
        expected = np.mean([np.linalg.norm(sh[b] - s[b]) / np.linalg.norm(s[b]) for b in range(2)])
        self.assertAlmostEqual(metrics['seismic_relative_l2'], float(expected), places=4)

    def test_weights_follow_the_area_resize_of_the_receivers(self):
        task = self.task(f'{TIME // 2},{RECEIVERS // 2}')
        idx = np.array([1, 0])
        weights = task.trace_weights(self.dataset, idx)
        self.assertEqual(tuple(weights.shape), (2, SOURCES, 1, RECEIVERS // 2))
        # Each network column averages two stored receivers: 0.5 where one of them is padding.
        expected = self.mask[idx].reshape(2, SOURCES, RECEIVERS // 2, 2).mean(axis=-1)
        np.testing.assert_allclose(weights[:, :, 0, :].numpy(), expected)
        self.assertEqual(float(weights[0, 3, 0, 0]), 0.5)
        self.assertIsNone(task.trace_weights(OpenFWIDataset(self._unmasked()), idx))

    def _unmasked(self):
        folder = os.path.join(self.dir, 'unmasked')
        os.makedirs(folder)
        for name in ('data1.npy', 'model1.npy'):
            shutil.copy(os.path.join(self.dir, name), folder)
        return folder


if __name__ == '__main__':
    unittest.main()
