#!/usr/bin/env python3
"""OpenFWI's 2D acoustic forward modelling, re-implemented with numpy from the text of
../shared/OPENFWI.md alone. Test truth for the studio's TypeScript/WASM/native solvers; never
used by the app itself.

    python3 openfwi_reference.py --velocity V.npy --out S.npy [--shots 0,2] [--dtype float64]

V: float32 velocity in m/s, [N, 1, 70, 70] or [70, 70] (depth, x).
S: float32 seismic [N, shots, 1000, 70] (sample, source, time, receiver).

The scheme (OPENFWI.md, "Forward modelling"):
  grid 70 x 70, dx = dz = 10 m, padded by 120 cells on every side by edge replication -> 310 x 310;
  neighbours beyond the padded edge wrap around periodically (np.roll);
  lap(p) = sum over x and z of (-5/2 p[i] + 4/3 (p[i-1] + p[i+1]) - 1/12 (p[i-2] + p[i+2]))   [units of dx^2]
  p_next = (2 - kappa) p - (1 - kappa) p_prev + alpha lap(p),
      alpha = (v dt / dx)^2, kappa = damping dt;
  damping at sponge cell i (0..119, counted from the interior edge outward) d(i) = d0 (i dx / a)^2,
      a = 119 dx, d0 = 3 v_min ln(1e7) / (2 a); the x-profile covers whole columns (corners included),
      the z-profile only the interior columns;
  Ricker 15 Hz, 147 samples, peak 1 at sample 73: w[k] = (1 - 2 beta) exp(-beta),
      beta = (pi f dt (73 - k))^2; injected after each update: p[src] += (v_src dt)^2 w[step];
  5 shots at x = 0, 17, 34, 52, 69, depth index 1; receivers at every x, depth index 1;
  time sample i is the field after update i (that step's injection included).

Sanity check (float64, OpenFWI's FlatVel-A test file vmodel11.npy, all five shots):
  samples 0-24: seismic min -24.64, max 47.71;
  samples 274 and 376 (the highest top-layer velocities in the file, 3470 and 3456 m/s):
      min -25.55, max 49.65; sample 335 (top layer 1500 m/s): min -20.69, max 39.23.
OPENFWI.md says FlatVel-A spans about -27 to 53 over its 30 000 models (normalisation limits
-26.95 / 52.77); the extremes grow with the top-layer velocity, and both of ours sit ~5-6 % inside
those limits, consistent with the training set holding faster top layers than this test file.
float32 arithmetic (--dtype float32) differs from float64 by at most 1.3e-4 (RMS 1.9e-5) on sample 274.
"""
import argparse
import math
import sys

import numpy as np

NZ = NX = 70
PAD = 120
DX_M = 10.0
DT_S = 0.001
NT = 1000
RICKER_HZ = 15.0
RICKER_LEN = 147
RICKER_PEAK = 73
SHOT_X = (0, 17, 34, 52, 69)
SHOT_Z = 1
RECEIVER_Z = 1


def ricker() -> np.ndarray:
    """Source wavelet for every time step: w[k] for k < 147, zero afterwards."""
    w = np.zeros(NT, dtype=np.float64)
    k = np.arange(RICKER_LEN, dtype=np.float64)
    beta = (math.pi * RICKER_HZ * DT_S * (RICKER_PEAK - k)) ** 2
    w[:RICKER_LEN] = (1.0 - 2.0 * beta) * np.exp(-beta)
    return w


def damping_profile(v_min_mps: float, shape: tuple) -> np.ndarray:
    """Sponge damping in 1/s on the padded grid [z, x]."""
    a_m = (PAD - 1) * DX_M
    d0 = 3.0 * v_min_mps * math.log(1e7) / (2.0 * a_m)
    i = np.arange(PAD, dtype=np.float64)
    outward = d0 * (i * DX_M / a_m) ** 2  # index 0 next to the interior
    nzp, nxp = shape
    damp = np.zeros(shape, dtype=np.float64)
    # z-profile on interior columns only, then x-profile over whole columns (wins in corners).
    damp[:PAD, PAD:nxp - PAD] = outward[::-1, None]
    damp[nzp - PAD:, PAD:nxp - PAD] = outward[:, None]
    damp[:, :PAD] = outward[::-1][None, :]
    damp[:, nxp - PAD:] = outward[None, :]
    return damp


def laplacian(p: np.ndarray) -> np.ndarray:
    """Fourth-order Laplacian over the last two axes (z, x), periodic, in units of dx^2."""
    lap = -5.0 * p  # -5/2 from each of the two directions
    for axis in (-2, -1):
        lap += (4.0 / 3.0) * (np.roll(p, 1, axis) + np.roll(p, -1, axis))
        lap -= (1.0 / 12.0) * (np.roll(p, 2, axis) + np.roll(p, -2, axis))
    return lap


def forward_one(velocity_mps: np.ndarray, shots: list, dtype) -> np.ndarray:
    """One model [70, 70] -> seismic [len(shots), 1000, 70]; all shots stepped together."""
    v = np.pad(velocity_mps.astype(np.float64), PAD, mode='edge')
    alpha = ((v * DT_S / DX_M) ** 2).astype(dtype)
    kappa = (damping_profile(float(velocity_mps.min()), v.shape) * DT_S).astype(dtype)
    two_minus_kappa = (2.0 - kappa).astype(dtype)
    one_minus_kappa = (1.0 - kappa).astype(dtype)
    wavelet = ricker()
    ns = len(shots)
    src_z = PAD + SHOT_Z
    src_x = np.array([PAD + SHOT_X[s] for s in shots])
    src_scale = (v[src_z, src_x] * DT_S) ** 2  # [ns]
    shot_index = np.arange(ns)
    p_prev = np.zeros((ns,) + v.shape, dtype=dtype)
    p = np.zeros_like(p_prev)
    out = np.zeros((ns, NT, NX), dtype=np.float32)
    for step in range(NT):
        p_next = two_minus_kappa * p - one_minus_kappa * p_prev + alpha * laplacian(p)
        if wavelet[step] != 0.0:
            p_next[shot_index, src_z, src_x] += (src_scale * wavelet[step]).astype(dtype)
        out[:, step, :] = p_next[:, PAD + RECEIVER_Z, PAD:PAD + NX]
        p_prev, p = p, p_next
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--velocity', required=True, help='float32 .npy, [N,1,70,70] or [70,70], m/s')
    parser.add_argument('--out', required=True, help='float32 .npy seismic [N, shots, 1000, 70]')
    parser.add_argument('--shots', default='0,1,2,3,4', help='comma-separated shot indices (0-4)')
    parser.add_argument('--samples', default=None, help='comma-separated sample indices (default all)')
    parser.add_argument('--dtype', choices=('float64', 'float32'), default='float64',
                        help='arithmetic precision of the wavefield (output is float32 either way)')
    args = parser.parse_args(argv)

    velocity = np.load(args.velocity)
    if velocity.ndim == 2:
        velocity = velocity[None, None]
    if velocity.ndim != 4 or velocity.shape[1:] != (1, NZ, NX):
        print(f'{args.velocity}: shape {velocity.shape}, expected [N,1,70,70] or [70,70]', file=sys.stderr)
        return 2
    if args.samples:
        velocity = velocity[[int(s) for s in args.samples.split(',')]]
    shots = [int(s) for s in args.shots.split(',')]
    if any(s < 0 or s >= len(SHOT_X) for s in shots):
        print(f'--shots {args.shots}: indices must be 0-4', file=sys.stderr)
        return 2
    dtype = np.float64 if args.dtype == 'float64' else np.float32
    seismic = np.zeros((velocity.shape[0], len(shots), NT, NX), dtype=np.float32)
    for n in range(velocity.shape[0]):
        seismic[n] = forward_one(velocity[n, 0], shots, dtype)
    np.save(args.out, seismic)
    return 0


if __name__ == '__main__':
    sys.exit(main())
