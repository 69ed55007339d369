"""Held-out metrics as OpenFWI reports them.

velocity (normalised to [-1, 1]):
  MAE  = mean |v_hat - v|
  RMSE = sqrt(mean (v_hat - v)^2)
  SSIM on (v + 1) / 2 in [0, 1], 11 x 11 Gaussian window (sigma 1.5), zero padding of 5 on every
       side (the window is applied as a 'same' convolution, as OpenFWI's pytorch_ssim does),
       C1 = 0.01^2, C2 = 0.03^2, mean of the SSIM map over pixels, then over samples:
       SSIM = ((2 mu_x mu_y + C1)(2 sigma_xy + C2)) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))
seismic: relative L2 per sample ||s_hat - s||_2 / ||s||_2, averaged over samples.
"""
import math

import torch
import torch.nn.functional as F

SSIM_WINDOW = 11
SSIM_SIGMA = 1.5
SSIM_C1 = 0.01 ** 2
SSIM_C2 = 0.03 ** 2


def gaussian_window(size=SSIM_WINDOW, sigma=SSIM_SIGMA):
    """Normalised 2-D Gaussian [size, size] = outer product of g_i ∝ exp(-(i - size//2)^2 / (2 sigma^2))."""
    g = torch.tensor([math.exp(-((i - size // 2) ** 2) / (2 * sigma ** 2)) for i in range(size)],
                     dtype=torch.float64)
    g = g / g.sum()
    return g[:, None] * g[None, :]


def ssim_map(x, y, window=None):
    """x, y: [B, 1, H, W] in [0, 1] -> SSIM map [B, 1, H, W] (float64)."""
    w = (gaussian_window() if window is None else window).to(x.device)[None, None]
    x = x.double()
    y = y.double()
    pad = w.shape[-1] // 2
    mu_x = F.conv2d(x, w, padding=pad)
    mu_y = F.conv2d(y, w, padding=pad)
    sxx = F.conv2d(x * x, w, padding=pad) - mu_x ** 2
    syy = F.conv2d(y * y, w, padding=pad) - mu_y ** 2
    sxy = F.conv2d(x * y, w, padding=pad) - mu_x * mu_y
    return ((2 * mu_x * mu_y + SSIM_C1) * (2 * sxy + SSIM_C2)) / (
        (mu_x ** 2 + mu_y ** 2 + SSIM_C1) * (sxx + syy + SSIM_C2))


def velocity_ssim(pred_norm, target_norm):
    """Per-sample SSIM [B] of velocities given in [-1, 1] (mapped to [0, 1] first)."""
    return ssim_map((pred_norm + 1) / 2, (target_norm + 1) / 2).mean(dim=(1, 2, 3))


def velocity_errors(pred_norm, target_norm):
    """Per-sample (absolute error sum, squared error sum, count) for pooled MAE / RMSE."""
    d = (pred_norm.double() - target_norm.double())
    return d.abs().sum(dim=(1, 2, 3)), (d * d).sum(dim=(1, 2, 3)), d[0].numel()


def relative_l2(pred, target):
    """Per-sample ||pred - target||_2 / ||target||_2 [B]."""
    p = pred.double().flatten(1)
    t = target.double().flatten(1)
    return (p - t).norm(dim=1) / t.norm(dim=1).clamp_min(1e-12)


class MetricAccumulator:
    """Pools metrics over batches: MAE and RMSE over all pixels, SSIM and relative L2 over samples.
    `on_velocity(pred_norm, target_norm)`, where given, also receives every velocity batch added."""

    def __init__(self, on_velocity=None):
        self.on_velocity = on_velocity
        self.abs_sum = 0.0
        self.sq_sum = 0.0
        self.pixels = 0
        self.ssim_sum = 0.0
        self.velocity_samples = 0
        self.rel_sums = {}
        self.rel_counts = {}

    def add_velocity(self, pred_norm, target_norm):
        a, s, n = velocity_errors(pred_norm, target_norm)
        self.abs_sum += float(a.sum())
        self.sq_sum += float(s.sum())
        self.pixels += n * pred_norm.shape[0]
        self.ssim_sum += float(velocity_ssim(pred_norm, target_norm).sum())
        self.velocity_samples += pred_norm.shape[0]
        if self.on_velocity:
            self.on_velocity(pred_norm, target_norm)

    def add_relative_l2(self, name, pred, target):
        r = relative_l2(pred, target)
        self.rel_sums[name] = self.rel_sums.get(name, 0.0) + float(r.sum())
        self.rel_counts[name] = self.rel_counts.get(name, 0) + r.shape[0]

    def result(self):
        out = {}
        if self.pixels:
            out['velocity_mae'] = self.abs_sum / self.pixels
            out['velocity_rmse'] = math.sqrt(self.sq_sum / self.pixels)
            out['velocity_ssim'] = self.ssim_sum / self.velocity_samples
            out['samples'] = self.velocity_samples
        for name, total in self.rel_sums.items():
            out[name] = total / self.rel_counts[name]
            out.setdefault('samples', self.rel_counts[name])
        return out
