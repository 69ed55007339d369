"""Mirror augmentation (augment.py) against the wave equation: the solver (fd_torch, OpenFWI's forward
modelling) run on the mirrored velocity model is the truth for the mirrored gathers. About 10 s on one core."""
import unittest

import numpy as np
import torch

from wavediff_models.augment import AugmentError, check_mirrorable, mirror_half, mirror_seismic, mirror_velocity
from wavediff_models.fd_torch import forward_model


def relative_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def dipping_model():
    """[1, 1, 70, 70] m/s: a layer boundary dipping from depth 25 to 45 cells across the model, slower
    above than below (no left-right symmetry)."""
    depth = np.arange(70)[:, None]
    boundary = 25 + 20 * np.arange(70)[None, :] / 69
    return np.where(depth < boundary, 2000.0, 3500.0).astype(np.float32)[None, None]


def flat_model():
    depth = np.arange(70)[:, None] * np.ones((1, 70))
    return np.where(depth < 30, 1800.0, 3000.0).astype(np.float32)[None, None]


class TestMirrorAgainstTheSolver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        models = np.concatenate([dipping_model(), flat_model()])
        cls.models = models
        cls.gathers = forward_model(models).numpy()
        cls.gathers_of_mirrored = forward_model(np.ascontiguousarray(models[..., ::-1])).numpy()

    def test_outer_shots_are_the_mirrored_models_gathers(self):
        mirrored = mirror_seismic(torch.from_numpy(self.gathers)).numpy()
        for sample in range(2):
            for shot in (0, 1, 3, 4):
                self.assertLess(relative_l2(mirrored[sample, shot], self.gathers_of_mirrored[sample, shot]), 1e-5)

    def test_middle_shot_is_close_and_exact_where_the_model_is_laterally_uniform(self):
        mirrored = mirror_seismic(torch.from_numpy(self.gathers)).numpy()
        dipping = relative_l2(mirrored[0, 2], self.gathers_of_mirrored[0, 2])
        self.assertLess(dipping, 0.05)
        # Without the one-receiver move the middle gather is that of a shot 10 m away: far off.
        unshifted = self.gathers[0, 2][:, ::-1]
        self.assertGreater(relative_l2(unshifted, self.gathers_of_mirrored[0, 2]), 10 * dipping)
        # Flat layers: exact but for the last receiver, which repeats its neighbour.
        inner = relative_l2(mirrored[1, 2][:, :-1], self.gathers_of_mirrored[1, 2][:, :-1])
        self.assertLess(inner, 1e-4)


class TestMirrorHalf(unittest.TestCase):
    def test_each_sample_is_kept_or_mirrored_whole(self):
        torch.manual_seed(3)
        seismic = torch.randn(64, 5, 7, 70)
        velocity = torch.randn(64, 1, 70, 70)
        weights = torch.rand(64, 5, 1, 70)
        s, v, w = mirror_half(seismic, velocity, weights)
        kept = [(s[i] == seismic[i]).all() and (v[i] == velocity[i]).all() and (w[i] == weights[i]).all()
                for i in range(64)]
        flipped = [(s[i] == mirror_seismic(seismic[i:i + 1])[0]).all()
                   and (v[i] == mirror_velocity(velocity[i:i + 1])[0]).all()
                   and (w[i] == mirror_seismic(weights[i:i + 1])[0]).all() for i in range(64)]
        self.assertTrue(all(bool(a) != bool(b) for a, b in zip(kept, flipped)))
        self.assertTrue(16 < sum(bool(b) for b in flipped) < 48)
        self.assertIsNone(mirror_half(seismic, velocity)[2])

    def test_other_acquisitions_are_refused(self):
        check_mirrorable(5, 70)
        with self.assertRaisesRegex(AugmentError, '4 shots over 70 receivers'):
            check_mirrorable(4, 70)
        with self.assertRaisesRegex(AugmentError, '5 shots over 64 receivers'):
            check_mirrorable(5, 64)


if __name__ == '__main__':
    unittest.main()
