"""OpenFWI's 2D acoustic forward modelling (shared/OPENFWI.md) in PyTorch: every shot of every
sample stepped together as one [B, shots, H, W] field, float32, on any device. It takes the
studio's geometry object (fd_geometry.py, acquisition.ts) and gives the studio's numbers
(main/core/physics: paddedGrid.ts pads and damps, kernelTs.ts steps); tests/test_fd_torch.py compares
the two through `wavediff forward`.

The update (paddedGrid.ts), with kappa = damping dt and alpha = (v dt/dx)^2:
  p_next = (2 - kappa) p - (1 - kappa) p_prev + alpha L(p),
  L(p) = sum over x and z of (-1/12 p[-2] + 4/3 p[-1] - 5/2 p[0] + 4/3 p[+1] - 1/12 p[+2])  (units of dx^2),
then p_next[source] += (v_source dt)^2 w[step], then the receivers record p_next. Here the stencil
weights are folded into per-cell coefficients,
  p_next = c0 p + a1 (sum of the 4 nearest) + a2 (sum of the 4 next) - (1 - kappa) p_prev,
  c0 = 2 - kappa + 2 (-5/2) alpha,  a1 = 4/3 alpha,  a2 = -1/12 alpha,
so a step is two neighbour sums and four multiply-adds over the field; it differs from the studio's
kernel only in float32 rounding.

Boundary (paddedGrid.ts padModel): the model is padded by the sponge on all sides (not above a free
surface) by repeating edge velocities; kappa at (row, col) is the x-profile in the side sponges
(whole columns: the x-profile wins in the corners), else the z-profile. Beyond the padded grid
neighbours wrap around periodically; with a free surface, rows above row 0 mirror with opposite
sign (p(-k) = -p(k)), row 0 has alpha = 0 (stays 0) and rows below the grid are zero. The field
lives in buffers with GHOST cells on every side that hold those neighbours."""
import numpy as np
import torch

from .fd_geometry import (LAPLACIAN_CENTRE, LAPLACIAN_FAR, LAPLACIAN_NEAR, check_stability, openfwi_geometry,
                          recorded_samples, sample_wavelet, sponge_damping, sponge_spec, validate_geometry)

GHOST = 2  # the stencil reaches two cells out


def _f32(x):
    return np.asarray(x, dtype=np.float32)


def _sponge_kappa(damping, dt, pad_before, inner, pad_after):
    """kappa = damping dt, float32, along one axis of the padded grid [B, pad_before + inner + pad_after],
    0 in the interior; damping [B, width] is counted from the interior outward."""
    b = damping.shape[0]
    return _f32(np.concatenate([damping[:, :pad_before][:, ::-1], np.zeros((b, inner)),
                                damping[:, :pad_after]], axis=1) * dt)


def padded_coefficients(velocity_mps, geometry):
    """Update coefficients of a batch of velocity models [B, nz, nx] (m/s) on the padded grid
    [B, 1, nzPad, nxPad], float32 numpy: c0, a1, a2 and minus_forget = -(1 - kappa); with the pad
    widths. Rounding to float32 where paddedGrid.ts and kernelTs.ts round (alpha, kappa, 2 - kappa,
    1 - kappa); the folded coefficients are formed from those in float64."""
    b, nz, nx = velocity_mps.shape
    width, reflection = sponge_spec(geometry)
    free_surface = geometry['topSurface'] == 'free'
    pad_top, pad_left = (0 if free_surface else width), width
    dx, dt = float(geometry['spacingMeters']), float(geometry['timeStepSeconds'])
    rows = np.clip(np.arange(pad_top + nz + width) - pad_top, 0, nz - 1)
    cols = np.clip(np.arange(pad_left + nx + width) - pad_left, 0, nx - 1)
    padded = velocity_mps[:, rows[:, None], cols[None, :]].astype(np.float64)
    alpha = _f32((padded * dt / dx) ** 2).astype(np.float64)
    if free_surface:
        alpha[:, 0, :] = 0.0
    # v_min of each sample's own (unpadded) model sets its damping (d0 = 3 v_min ln(1/R) / 2a).
    damping = sponge_damping(width, dx, velocity_mps.reshape(b, -1).min(axis=1), reflection)
    kappa_x = _sponge_kappa(damping, dt, pad_left, nx, width)      # [B, nxPad]
    kappa_z = _sponge_kappa(damping, dt, pad_top, nz, width)       # [B, nzPad]
    interior_cols = np.zeros(len(cols), dtype=bool)
    interior_cols[pad_left:pad_left + nx] = True
    # The x-profile covers whole side columns (corners included), the z-profile the columns between.
    kappa = np.where(interior_cols[None, None, :], kappa_z[:, :, None], kappa_x[:, None, :]).astype(np.float32)
    keep = _f32(2.0 - kappa).astype(np.float64)
    forget = _f32(1.0 - kappa).astype(np.float64)
    coefficients = {
        'c0': _f32(keep + 2.0 * LAPLACIAN_CENTRE * alpha),
        'a1': _f32(LAPLACIAN_NEAR * alpha),
        'a2': _f32(LAPLACIAN_FAR * alpha),
        'minus_forget': _f32(-forget),
    }
    return {name: c[:, None] for name, c in coefficients.items()}, pad_top, pad_left


def _fill_ghosts(p, free_surface):
    """Neighbours beyond the padded grid into the GHOST cells of p [B, S, H + 4, W + 4]: periodic
    columns; periodic rows, or with a free surface p(-k) = -p(k) above and zeros below. The corner
    ghosts are never read by the cross-shaped stencil."""
    h, w = p.shape[-2] - 2 * GHOST, p.shape[-1] - 2 * GHOST
    rows = slice(GHOST, GHOST + h)
    p[..., rows, 0:GHOST] = p[..., rows, w:w + GHOST]
    p[..., rows, w + GHOST:w + 2 * GHOST] = p[..., rows, GHOST:2 * GHOST]
    cols = slice(GHOST, GHOST + w)
    if free_surface:
        p[..., 1, cols] = -p[..., GHOST + 1, cols]
        p[..., 0, cols] = -p[..., GHOST + 2, cols]
        p[..., h + GHOST:, cols] = 0.0
    else:
        p[..., 0:GHOST, cols] = p[..., h:h + GHOST, cols]
        p[..., h + GHOST:h + 2 * GHOST, cols] = p[..., GHOST:2 * GHOST, cols]


def _update(p, p_prev, c, near, far):
    """p_next = c0 p + a1 near + a2 far - (1 - kappa) p_prev over the interior of the buffers,
    written over p_prev; near / far are scratch [B, S, H, W] for the sums at distance 1 and 2."""
    h, w = p.shape[-2] - 2 * GHOST, p.shape[-1] - 2 * GHOST

    def shifted(dz, dx):
        return p[..., GHOST + dz:GHOST + dz + h, GHOST + dx:GHOST + dx + w]

    torch.add(shifted(0, -1), shifted(0, 1), out=near)
    near.add_(shifted(-1, 0)).add_(shifted(1, 0))
    torch.add(shifted(0, -2), shifted(0, 2), out=far)
    far.add_(shifted(-2, 0)).add_(shifted(2, 0))
    p_next = p_prev[..., GHOST:GHOST + h, GHOST:GHOST + w]
    p_next.mul_(c['minus_forget']).addcmul_(c['c0'], shifted(0, 0)).addcmul_(c['a1'], near).addcmul_(c['a2'], far)


def forward_model(velocity_mps, geometry=None, device='cpu', check=True):
    """Forward-models a batch of velocity models.
    velocity_mps: [N, 1, nz, nx] or [N, nz, nx] in m/s (numpy or torch).
    geometry: the studio's geometry object (default OpenFWI's, openfwi_geometry()).
    Returns seismic float32 [N, sources, time, receivers] on `device`, time = ceil(steps / recordEverySteps).
    check: refuse unstable or under-sampled runs as the studio does (fd_geometry.check_stability)."""
    geometry = openfwi_geometry() if geometry is None else geometry
    if isinstance(velocity_mps, torch.Tensor):
        velocity_mps = velocity_mps.detach().cpu().numpy()
    velocity = np.asarray(velocity_mps, dtype=np.float32)
    if velocity.ndim == 4 and velocity.shape[1] == 1:
        velocity = velocity[:, 0]
    if velocity.ndim != 3:
        raise ValueError(f'velocity shape {list(np.shape(velocity_mps))}: expected [N, 1, depth, width] or '
                         f'[N, depth, width] in m/s')
    n, nz, nx = velocity.shape
    validate_geometry(geometry, nz, nx)
    if np.isnan(velocity).any():
        raise ValueError('velocity holds NaN; every velocity must be a number in m/s')
    if check:
        check_stability(geometry, float(velocity.min()), float(velocity.max()))
    device = torch.device(device)
    coefficients, pad_top, pad_left = padded_coefficients(velocity, geometry)
    c = {name: torch.from_numpy(v).to(device) for name, v in coefficients.items()}
    h, w = c['c0'].shape[-2:]
    stride = w + 2 * GHOST

    def buffer_index(cell):
        return (cell['z'] + pad_top + GHOST) * stride + cell['x'] + pad_left + GHOST

    sources, receivers = geometry['sources'], geometry['receivers']
    shots = len(sources)
    steps, every = int(geometry['steps']), int(geometry['recordEverySteps'])
    dt = float(geometry['timeStepSeconds'])
    wavelet = sample_wavelet(geometry['wavelet'], dt, steps)
    # (v_source dt)^2 w[step] per sample and shot, in float64 then float32 (paddedGrid.ts shotSetup).
    v_source = velocity[:, [s['z'] for s in sources], [s['x'] for s in sources]].astype(np.float64)
    amplitude = _f32(((v_source * dt) * (v_source * dt))[None] * wavelet.astype(np.float64)[:, None, None])
    injecting_steps = int(np.flatnonzero(wavelet).max()) + 1 if wavelet.any() else 0
    amplitude = torch.from_numpy(amplitude[:injecting_steps].reshape(injecting_steps, n * shots)).to(device)
    source_rows = torch.arange(n * shots, device=device)
    source_cols = torch.tensor([buffer_index(s) for s in sources], device=device).repeat(n)
    receiver_index = torch.tensor([buffer_index(r) for r in receivers], device=device)

    free_surface = geometry['topSurface'] == 'free'
    shape = (n, shots, h + 2 * GHOST, w + 2 * GHOST)
    with torch.no_grad():
        p = torch.zeros(shape, dtype=torch.float32, device=device)
        p_prev = torch.zeros_like(p)
        near = torch.empty((n, shots, h, w), dtype=torch.float32, device=device)
        far = torch.empty_like(near)
        record = torch.empty((recorded_samples(geometry), n, shots, len(receivers)), dtype=torch.float32, device=device)
        for step in range(steps):
            _fill_ghosts(p, free_surface)
            _update(p, p_prev, c, near, far)
            p, p_prev = p_prev, p
            if step < injecting_steps:
                p.view(n * shots, -1).index_put_((source_rows, source_cols), amplitude[step], accumulate=True)
            if step % every == 0:
                torch.index_select(p.view(n, shots, -1), 2, receiver_index, out=record[step // every])
        return record.permute(1, 2, 0, 3).contiguous()
