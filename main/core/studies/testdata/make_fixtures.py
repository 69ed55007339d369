#!/usr/bin/python3
"""Independent reference numbers for the studies' metrics (numpy / scipy), written beside this script:
  compression_input.npy     float32 [2, 3, 2, 40, 12]: an original s [2, 2, 40, 12] and a reconstruction ŝ
  compression_quant.npy     float32 [2, 2, 2, 40, 12]: s quantised to 4 and 8 bits per gather
  fidelity_sets.npy         float64 [2, 30, 6]: two feature sets (the second 25 rows used)
  fidelity_fields.npy       float64 [2, 4, 20, 12]: two sets of 2-D fields for the power spectra
  fixtures.json             the expected numbers
Regenerate with /usr/bin/python3 main/core/studies/testdata/make_fixtures.py (numpy, scipy).
"""
import json
import os

import numpy as np
from scipy import linalg, ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(12)


# ---------- compression ----------

def ricker(f, t):
    a = (np.pi * f * t) ** 2
    return (1 - 2 * a) * np.exp(-a)


N, S, T, R = 2, 2, 40, 12
t = np.arange(T) * 0.004
s = np.zeros((N, S, T, R))
for n in range(N):
    for src in range(S):
        for r in range(R):
            delay = 0.03 + 0.004 * abs(r - 5 * src) + 0.01 * n
            s[n, src, :, r] = (3 + n) * ricker(18, t - delay) + 0.4 * ricker(30, t - delay - 0.06)
s = (s + 0.05 * rng.standard_normal(s.shape)).astype(np.float32)
rec = (0.9 * s + 0.08 * rng.standard_normal(s.shape) + 0.02).astype(np.float32)
sd, rd = s.astype(np.float64), rec.astype(np.float64)
err = sd - rd

snr = 10 * np.log10(np.sum(sd ** 2) / np.sum(err ** 2))
ptp = sd.max() - sd.min()
psnr = 10 * np.log10(ptp ** 2 / np.mean(err ** 2))
nrms = np.linalg.norm(err) / np.linalg.norm(sd)
mae = np.mean(np.abs(err))
corr = np.corrcoef(sd.ravel(), rd.ravel())[0, 1]


def gaussian_window(size=11, sigma=1.5):
    g = np.exp(-((np.arange(size) - size // 2) ** 2) / (2 * sigma ** 2))
    g /= g.sum()
    return np.outer(g, g)


def ssim_scipy(x, y):
    """Mean SSIM with an 11×11 Gaussian window (σ 1.5) as a zero-padded 'same' filter, C1 = 0.01², C2 = 0.03²."""
    w = gaussian_window()
    f = lambda a: ndimage.correlate(a, w, mode='constant', cval=0.0)
    mx, my = f(x), f(y)
    sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return np.mean(((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (sxx + syy + c2)))


ssims = []
for n in range(N):
    for src in range(S):
        x, y = sd[n, src], rd[n, src]
        lo, hi = x.min(), x.max()
        ssims.append(ssim_scipy((x - lo) / (hi - lo), (y - lo) / (hi - lo)))
ssim = float(np.mean(ssims))

nfft = 64
X = np.fft.rfft(sd, n=nfft, axis=2)  # [N, S, bins, R]
Y = np.fft.rfft(rd, n=nfft, axis=2)
m = np.arange(X.shape[2])
w = np.zeros(X.shape[2])
w[1:] = 1.0 / m[1:]
wb = w[None, None, :, None]
amp = np.sum(wb * np.abs(np.abs(Y) - np.abs(X))) / np.sum(wb * np.abs(X))
phase = np.sum(wb * np.abs(X) * np.abs(np.angle(Y * np.conj(X)))) / np.sum(wb * np.abs(X))
mean_spectrum_s = np.abs(X).mean(axis=(0, 1, 3))
mean_spectrum_r = np.abs(Y).mean(axis=(0, 1, 3))


def quantise(a, bits):
    out = np.empty_like(a, dtype=np.float64)
    levels = 2 ** bits - 1
    for n in range(a.shape[0]):
        for src in range(a.shape[1]):
            g = a[n, src].astype(np.float64)
            lo, hi = float(g.min()), float(g.max())
            step = (hi - lo) / levels
            out[n, src] = lo + np.floor((g - lo) / step + 0.5) * step  # round half up, as Math.round
    return out.astype(np.float32)


np.save(os.path.join(HERE, 'compression_input.npy'), np.stack([s, rec]))
np.save(os.path.join(HERE, 'compression_quant.npy'), np.stack([quantise(s, 4), quantise(s, 8)]))

trace = sd[0, 0, :, 3]
rfft_trace = np.fft.rfft(trace, n=nfft)
plane = sd[1, 1, :5, :7]
fft2_plane = np.fft.fft2(plane, s=(8, 8))

# ---------- Fréchet distance ----------

def fd_scipy(mu1, c1, mu2, c2):
    covmean = linalg.sqrtm(c1 @ c2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(c1) + np.trace(c2) - 2 * np.trace(covmean.real))


# Exact: diagonal covariances, FD = ‖μ1 − μ2‖² + Σ (σ1 − σ2)².
mu1 = np.array([0.0, 1.0, -2.0, 0.5])
mu2 = np.array([0.3, 0.0, -2.0, 1.5])
sig1 = np.array([1.0, 2.0, 0.5, 3.0])
sig2 = np.array([1.5, 1.0, 0.5, 0.2])
fd_diagonal = float(np.sum((mu1 - mu2) ** 2) + np.sum((sig1 - sig2) ** 2))
# Exact: commuting covariances Q D Qᵀ, FD = ‖μ1 − μ2‖² + Σ (√d1 − √d2)².
q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
d1 = np.array([4.0, 1.0, 0.25, 2.0])
d2 = np.array([1.0, 1.0, 1.0, 0.5])
c1 = q @ np.diag(d1) @ q.T
c2 = q @ np.diag(d2) @ q.T
fd_commuting = float(np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(d1) - np.sqrt(d2)) ** 2))
# Sample sets, scipy.linalg.sqrtm.
a = rng.standard_normal((30, 6)) @ rng.standard_normal((6, 6)) * 0.7 + 0.2
b = rng.standard_normal((25, 6)) * np.array([1.0, 0.5, 2.0, 1.0, 0.3, 1.2]) - 0.1
b_padded = np.vstack([b, np.zeros((5, 6))])
np.save(os.path.join(HERE, 'fidelity_sets.npy'), np.stack([a, b_padded]))
fd_sets = fd_scipy(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))

# ---------- isotropic power spectra ----------

F, H, W = 4, 20, 12
yy, xx = np.meshgrid(np.arange(H), np.arange(W), indexing='ij')
real_fields = np.stack([2.0 + np.sin(0.4 * yy + 0.3 * k) + 0.5 * np.cos(0.9 * xx) + 0.2 * rng.standard_normal((H, W)) for k in range(F)])
gen_fields = np.stack([np.sin(0.45 * yy + 0.3 * k) + 0.4 * np.cos(0.9 * xx) + 0.3 * rng.standard_normal((H, W)) for k in range(F)])
np.save(os.path.join(HERE, 'fidelity_fields.npy'), np.stack([real_fields, gen_fields]))


def isotropic(fields):
    ph, pw = 32, 16
    shells = min(ph, pw) // 2
    width = 0.5 / shells
    fy = np.fft.fftfreq(ph)[:, None]
    fx = np.fft.fftfreq(pw)[None, :]
    rho = np.hypot(fx, fy)
    shell = np.where((rho == 0) | (rho > 0.5 + 1e-12), -1, np.minimum(shells - 1, np.ceil(rho / width - 1e-9) - 1)).astype(int)
    power = np.zeros(shells)
    for f in fields:
        p = np.abs(np.fft.fft2(f - f.mean(), s=(ph, pw))) ** 2
        for j in range(shells):
            power[j] += p[shell == j].mean()
    return (np.arange(shells) + 0.5) * width, power / len(fields)


freq, p_real = isotropic(real_fields)
_, p_gen = isotropic(gen_fields)
rel = p_gen / p_real - 1
edges = np.exp(np.linspace(np.log(freq[0]), np.log(freq[-1]), 4))
bands = []
for bi in range(3):
    lo = freq >= edges[bi] * (1 - 1e-12)
    hi = freq <= edges[3] * (1 + 1e-12) if bi == 2 else freq < edges[bi + 1] * (1 - 1e-12)
    sel = lo & hi
    bands.append({'shells': int(sel.sum()), 'rmse': float(np.sqrt(np.mean(rel[sel] ** 2)))})

fixtures = {
    'compression': {
        'shape': [N, S, T, R], 'nfft': nfft,
        'snr_db': float(snr), 'psnr_db': float(psnr), 'nrms': float(nrms), 'mae': float(mae), 'corr': float(corr),
        'ssim': ssim, 'amp': float(amp), 'phase': float(phase),
        'mean_spectrum_original': mean_spectrum_s.tolist(), 'mean_spectrum_reconstruction': mean_spectrum_r.tolist(),
        'rfft_trace': {'sample': 0, 'source': 0, 'receiver': 3, 're': rfft_trace.real.tolist(), 'im': rfft_trace.imag.tolist()},
        'fft2_plane': {'sample': 1, 'source': 1, 'rows': 5, 'cols': 7, 'pad': [8, 8], 're': fft2_plane.real.ravel().tolist(), 'im': fft2_plane.imag.ravel().tolist()},
    },
    'frechet': {
        'diagonal': {'mu1': mu1.tolist(), 'mu2': mu2.tolist(), 'sigma1': sig1.tolist(), 'sigma2': sig2.tolist(), 'fd': fd_diagonal},
        'commuting': {'cov1': c1.ravel().tolist(), 'cov2': c2.ravel().tolist(), 'fd': fd_commuting,
                      'fd_scipy': fd_scipy(mu1, c1, mu2, c2)},
        'sets': {'rows_a': 30, 'rows_b': 25, 'dimension': 6, 'fd_scipy': fd_sets,
                 'mean_a': a.mean(0).tolist(), 'cov_a': np.cov(a, rowvar=False).ravel().tolist()},
    },
    'power_spectrum': {
        'fields': F, 'height': H, 'width': W,
        'frequency': freq.tolist(), 'power_real': p_real.tolist(), 'power_generated': p_gen.tolist(),
        'edges': edges.tolist(), 'bands': bands,
    },
}
with open(os.path.join(HERE, 'fixtures.json'), 'w') as out:
    json.dump(fixtures, out, indent=1)
print('wrote', os.path.join(HERE, 'fixtures.json'))
