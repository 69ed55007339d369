"""Metrics against hand-computable cases and an independent loop implementation of SSIM."""
import math
import unittest

import numpy as np
import torch

from wavediff_models.metrics import (SSIM_C1, SSIM_C2, MetricAccumulator, gaussian_window, relative_l2,
                                     ssim_map, velocity_ssim)


def naive_ssim(x, y, size=11, sigma=1.5):
    """Direct sums over the window with zeros outside the image; float64 numpy, no convolution."""
    h, w = x.shape
    r = size // 2
    g = np.array([math.exp(-(i - r) ** 2 / (2 * sigma ** 2)) for i in range(size)])
    g /= g.sum()
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            mx = my = sxx = syy = sxy = 0.0
            for a in range(-r, r + 1):
                for b in range(-r, r + 1):
                    ii, jj = i + a, j + b
                    if 0 <= ii < h and 0 <= jj < w:
                        wt = g[a + r] * g[b + r]
                        mx += wt * x[ii, jj]
                        my += wt * y[ii, jj]
                        sxx += wt * x[ii, jj] ** 2
                        syy += wt * y[ii, jj] ** 2
                        sxy += wt * x[ii, jj] * y[ii, jj]
            vx, vy, cxy = sxx - mx * mx, syy - my * my, sxy - mx * my
            out[i, j] = ((2 * mx * my + SSIM_C1) * (2 * cxy + SSIM_C2)) / ((mx * mx + my * my + SSIM_C1) * (vx + vy + SSIM_C2))
    return out


class TestSSIM(unittest.TestCase):
    def test_window_is_normalised_gaussian(self):
        w = gaussian_window()
        self.assertEqual(tuple(w.shape), (11, 11))
        self.assertAlmostEqual(float(w.sum()), 1.0, places=12)
        centre = 1.0 / sum(math.exp(-i * i / 4.5) for i in range(-5, 6)) ** 2
        self.assertAlmostEqual(float(w[5, 5]), centre, places=12)

    def test_identical_images_give_one(self):
        x = torch.linspace(0, 1, 20 * 20).reshape(1, 1, 20, 20)
        self.assertTrue(torch.allclose(ssim_map(x, x), torch.ones(1, 1, 20, 20, dtype=torch.float64)))

    def test_constant_images_interior_closed_form(self):
        # Away from the border (>= 5 pixels) the window sees only the constants: sigma = 0 and
        # SSIM = (2ab + C1) / (a^2 + b^2 + C1).
        a, b = 0.3, 0.7
        x = torch.full((1, 1, 24, 24), a)
        y = torch.full((1, 1, 24, 24), b)
        m = ssim_map(x, y)[0, 0, 5:-5, 5:-5]
        expected = (2 * a * b + SSIM_C1) / (a * a + b * b + SSIM_C1)
        self.assertTrue(torch.allclose(m, torch.full_like(m, expected), atol=1e-9))

    def test_matches_loop_implementation_with_zero_padding(self):
        i, j = np.meshgrid(np.arange(16), np.arange(14), indexing='ij')
        x = 0.5 + 0.4 * np.sin(i / 3.0) * np.cos(j / 4.0)
        y = np.clip(x + 0.1 * np.cos(i * j / 7.0), 0, 1)
        got = ssim_map(torch.tensor(x)[None, None], torch.tensor(y)[None, None])[0, 0].numpy()
        np.testing.assert_allclose(got, naive_ssim(x, y), atol=1e-10)

    def test_velocity_ssim_maps_from_minus_one_one(self):
        v = torch.linspace(-1, 1, 64).reshape(1, 1, 8, 8)
        direct = ssim_map((v + 1) / 2, (-v + 1) / 2).mean()
        self.assertAlmostEqual(float(velocity_ssim(v, -v)[0]), float(direct), places=12)


class TestErrors(unittest.TestCase):
    def test_mae_rmse_by_hand(self):
        target = torch.zeros(1, 1, 4, 4)
        pred = target.clone()
        pred[0, 0, 0, :] = 0.5  # 4 of 16 pixels off by 0.5
        acc = MetricAccumulator()
        acc.add_velocity(pred, target)
        r = acc.result()
        self.assertAlmostEqual(r['velocity_mae'], 4 * 0.5 / 16)
        self.assertAlmostEqual(r['velocity_rmse'], math.sqrt(4 * 0.25 / 16))
        self.assertEqual(r['samples'], 1)

    def test_pooled_over_batches(self):
        acc = MetricAccumulator()
        acc.add_velocity(torch.full((1, 1, 2, 2), 1.0), torch.zeros(1, 1, 2, 2))
        acc.add_velocity(torch.zeros(3, 1, 2, 2), torch.zeros(3, 1, 2, 2))
        r = acc.result()
        self.assertAlmostEqual(r['velocity_mae'], 0.25)   # 4 of 16 pixels with error 1
        self.assertAlmostEqual(r['velocity_rmse'], 0.5)
        self.assertEqual(r['samples'], 4)

    def test_relative_l2_by_hand(self):
        pred = torch.tensor([[3.0, 0.0]])
        target = torch.tensor([[3.0, 4.0]])
        self.assertAlmostEqual(float(relative_l2(pred, target)[0]), 4.0 / 5.0)


if __name__ == '__main__':
    unittest.main()
