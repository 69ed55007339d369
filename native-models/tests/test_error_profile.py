"""error_profile.py on velocity models whose errors are set by hand."""
import unittest

import numpy as np

from wavediff_models.error_profile import velocity_error_profile


def two_layer_models(fast_mps, count=1):
    """[count, 1, 70, 70]: rows 0-9 at 1600 m/s, the rest at fast_mps."""
    v = np.full((count, 1, 70, 70), float(fast_mps))
    v[:, :, :10] = 1600.0
    return v


class TestVelocityErrorProfile(unittest.TestCase):
    def test_bands_depths_and_totals(self):
        true = two_layer_models(4500)
        pred = true.copy()
        pred[:, :, :10] += 20.0   # slow layer: 20 m/s too fast
        pred[:, :, 10:] -= 300.0  # fast layer (on the range's top edge): 300 m/s too slow
        p = velocity_error_profile(pred, true)
        self.assertEqual([(b['from_mps'], b['to_mps']) for b in p['by_true_velocity']], [(1500, 2000), (4000, 4500)])
        slow, fast = p['by_true_velocity']
        self.assertAlmostEqual(slow['cells'], 10 / 70)
        self.assertAlmostEqual(fast['cells'], 60 / 70)
        self.assertAlmostEqual(slow['bias_mps'], 20.0)
        self.assertAlmostEqual(fast['bias_mps'], -300.0)
        self.assertAlmostEqual(fast['mae_mps'], 300.0)
        self.assertAlmostEqual(p['bias_mps'], (10 * 20 - 60 * 300) / 70)
        self.assertAlmostEqual(p['mae_mps'], (10 * 20 + 60 * 300) / 70)
        self.assertEqual(len(p['by_depth']), 7)
        self.assertEqual(p['by_depth'][0], {'rows': [0, 10], 'bias_mps': 20.0, 'mae_mps': 20.0})
        self.assertEqual(p['by_depth'][6]['rows'], [60, 70])
        self.assertAlmostEqual(p['by_depth'][1]['bias_mps'], -300.0)
        self.assertIsNone(p['model_mae_vs_fastest_velocity_correlation'])  # one model

    def test_correlation_of_model_error_with_fastest_velocity(self):
        true = np.concatenate([two_layer_models(v) for v in (3000, 4000, 4500)])
        pred = true.copy()
        for i, miss in enumerate((10.0, 50.0, 90.0)):  # faster models missed by more, linearly
            pred[i, :, 10:] -= miss
        p = velocity_error_profile(pred[:, 0], true[:, 0])  # [N, depth, width] works too
        self.assertEqual(p['samples'], 3)
        self.assertGreater(p['model_mae_vs_fastest_velocity_correlation'], 0.95)

    def test_refuses_mismatched_arrays(self):
        with self.assertRaises(ValueError):
            velocity_error_profile(np.zeros((2, 1, 70, 70)), np.zeros((3, 1, 70, 70)))


if __name__ == '__main__':
    unittest.main()
