"""Acquisition geometry for fd_torch, with the semantics of the studio's
main/core/physics/acquisition.ts (the same JSON object), and the pieces of paddedGrid.ts, wavelet.ts and
stability.ts that do not touch the wavefield: the sampled Ricker wavelet, the sponge's damping
profile and the stability checks. Positions are cell indices of the unpadded model: x = column
(width), z = row (depth), both from 0."""
import math

import numpy as np

# Fourth-order central second derivative (-1/12, 4/3, -5/2, 4/3, -1/12) / dx^2.
LAPLACIAN_CENTRE = -5.0 / 2.0
LAPLACIAN_NEAR = 4.0 / 3.0
LAPLACIAN_FAR = -1.0 / 12.0

OPENFWI_SPONGE_CELLS = 120
# Highest frequency a run must carry, per Ricker peak (-30 dB of its spectrum), and the fewest grid
# points per shortest wavelength accepted (OpenFWI sits exactly at 4) — as stability.ts.
MAX_FREQUENCY_PER_PEAK = 2.5
MIN_POINTS_PER_WAVELENGTH = 4


class GeometryError(ValueError):
    """A geometry or velocity batch the solver refuses; the message names the field and the limit."""


def openfwi_geometry():
    """OpenFWI's forward-modelling geometry for 70 x 70 models (shared/OPENFWI.md), the same object
    as acquisition.ts openfwiGeometry(): 10 m grid, 1 ms x 1000 steps, Ricker 15 Hz peaking at 73 ms
    over 147 samples, 5 shots at x = 0, 17, 34, 52, 69 and depth index 1, 70 receivers at depth
    index 1, 120-cell sponge on all four sides, every step recorded."""
    return {
        'spacingMeters': 10,
        'timeStepSeconds': 0.001,
        'steps': 1000,
        'recordEverySteps': 1,
        'wavelet': {'kind': 'ricker', 'peakFrequencyHz': 15, 'delaySeconds': 0.073, 'lengthSteps': 147},
        'sources': [{'x': x, 'z': 1} for x in (0, 17, 34, 52, 69)],
        'receivers': [{'x': x, 'z': 1} for x in range(70)],
        'boundary': {'kind': 'openfwi-sponge'},
        'topSurface': 'absorbing',
    }


def recorded_samples(geometry):
    """Time samples of the output: ceil(steps / recordEverySteps)."""
    return -(-int(geometry['steps']) // int(geometry['recordEverySteps']))


def validate_geometry(geometry, nz, nx):
    """Checks the fields fd_torch uses against the model shape [nz, nx]; returns the geometry."""
    def need(condition, message):
        if not condition:
            raise GeometryError(f'Acquisition geometry {message}')

    for key in ('spacingMeters', 'timeStepSeconds'):
        need(float(geometry.get(key, 0)) > 0, f'{key} = {geometry.get(key)!r}: give a positive number.')
    for key in ('steps', 'recordEverySteps'):
        need(int(geometry.get(key, 0)) >= 1, f'{key} = {geometry.get(key)!r}: give a whole number >= 1.')
    need(geometry['recordEverySteps'] <= geometry['steps'],
         f'recordEverySteps = {geometry["recordEverySteps"]} exceeds steps = {geometry["steps"]}.')
    wavelet = geometry.get('wavelet', {})
    need(wavelet.get('kind') == 'ricker', f'wavelet.kind = {wavelet.get("kind")!r}: only "ricker" exists.')
    kind = geometry.get('boundary', {}).get('kind')
    need(kind in ('openfwi-sponge', 'sponge'),
         f'boundary.kind = {kind!r}: fd_torch models "openfwi-sponge" and "sponge"; use the studio\'s solver '
         f'(wavediff forward) for "pml".')
    need(geometry.get('topSurface') in ('absorbing', 'free'),
         f'topSurface = {geometry.get("topSurface")!r}: use "absorbing" or "free".')
    for field in ('sources', 'receivers'):
        need(len(geometry.get(field, [])) >= 1, f'{field}: give at least one cell.')
        for i, cell in enumerate(geometry[field]):
            need(0 <= cell['x'] < nx and 0 <= cell['z'] < nz,
                 f'{field}[{i}] = (x {cell["x"]}, z {cell["z"]}) lies outside the {nz} x {nx} (depth x width) '
                 f'velocity model; x must be < {nx} and z < {nz}.')
            need(not (field == 'sources' and geometry['topSurface'] == 'free' and cell['z'] == 0),
                 f'sources[{i}] is at z = 0, on the free surface where the pressure is held at 0; put it at z >= 1.')
    return geometry


def sample_wavelet(wavelet, dt_seconds, steps):
    """w[k], k = 0..steps-1, float32 (wavelet.ts sampleWavelet): r = (1 - 2 beta) exp(-beta),
    beta = (pi f dt (delay_steps - k))^2 for k < length, zero after; length = lengthSteps or
    2 delay/dt + 1; a delay within 1e-9 of a whole number of steps is taken as that number."""
    delay_steps = wavelet['delaySeconds'] / dt_seconds
    nearest = math.floor(delay_steps + 0.5)  # JavaScript's Math.round, as wavelet.ts
    length = wavelet.get('lengthSteps') or 2 * nearest + 1
    if abs(delay_steps - nearest) < 1e-9:
        delay_steps = nearest
    k = np.arange(min(length, steps), dtype=np.float64)
    beta = (math.pi * wavelet['peakFrequencyHz'] * dt_seconds * (delay_steps - k)) ** 2
    samples = np.zeros(steps, dtype=np.float32)
    samples[:len(k)] = (1.0 - 2.0 * beta) * np.exp(-beta)
    return samples


def sponge_spec(geometry):
    """(width in cells, target reflection R): OpenFWI's 120 cells with R = 1e-7, a narrower sponge R = 1e-3."""
    boundary = geometry['boundary']
    if boundary['kind'] == 'openfwi-sponge':
        return OPENFWI_SPONGE_CELLS, 1e-7
    return int(boundary['widthCells']), 1e-3


def sponge_damping(width_cells, spacing_m, min_velocity_mps, reflection):
    """Damping in 1/s at sponge cell i = 0..width-1 counted from the interior outward, float64
    [..., width] for min_velocity_mps of shape [...]:
    d(i) = d0 (i dx / a)^2, a = (width - 1) dx, d0 = 3 v_min ln(1/R) / (2a)."""
    a = (width_cells - 1) * spacing_m
    d0 = 3.0 * np.asarray(min_velocity_mps, dtype=np.float64)[..., None] * math.log(1.0 / reflection) / (2.0 * a)
    ratio = np.arange(width_cells, dtype=np.float64) * spacing_m / a
    return d0 * ratio * ratio


def check_stability(geometry, min_mps, max_mps):
    """Refuses what stability.ts refuses: Courant number v_max dt/dx above sqrt(3/8) sqrt(1 - kappa_max/2)
    (von Neumann for leapfrog with this stencil under damping kappa = damping dt), and fewer than 4
    grid points per shortest wavelength v_min / (2.5 f_peak dx)."""
    if not (min_mps > 0 and math.isfinite(max_mps)):
        raise GeometryError(f'Velocity model holds values from {min_mps} to {max_mps} m/s; every velocity must be '
                            f'a finite number above 0 m/s.')
    dx, dt = float(geometry['spacingMeters']), float(geometry['timeStepSeconds'])
    width, reflection = sponge_spec(geometry)
    max_kappa = float(sponge_damping(width, dx, min_mps, reflection)[-1]) * dt
    limit = 2.0 / math.sqrt(2 * 16.0 / 3.0) * math.sqrt(max(0.0, 1.0 - max_kappa / 2.0))
    courant = max_mps * dt / dx
    if courant > limit or max_kappa >= 1:
        raise GeometryError(f'Unstable time step: Courant number v_max dt/dx = {max_mps} m/s x {dt} s / {dx} m = '
                            f'{courant:.4f} exceeds this scheme\'s limit {limit:.4f}; use a smaller dt, about '
                            f'{0.95 * limit * dx / max_mps:.3e} s.')
    max_frequency = MAX_FREQUENCY_PER_PEAK * geometry['wavelet']['peakFrequencyHz']
    points = min_mps / (max_frequency * dx)
    if points < MIN_POINTS_PER_WAVELENGTH * (1 - 1e-6):
        raise GeometryError(f'Grid too coarse for the wavelet: v_min / (f_max dx) = {min_mps} m/s / ({max_frequency} Hz '
                            f'x {dx} m) = {points:.3f} points per shortest wavelength, below '
                            f'{MIN_POINTS_PER_WAVELENGTH}; use dx <= '
                            f'{min_mps / (max_frequency * MIN_POINTS_PER_WAVELENGTH):.3f} m or a lower peak frequency.')
