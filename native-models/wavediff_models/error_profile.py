"""Where a network's velocity errors lie, in m/s: by the true velocity of the cell (bands of
BAND_MPS), by depth (bands of DEPTH_ROWS rows), and per model against the model's fastest velocity.

A bias (mean signed error, predicted − true) that grows with the true velocity says the network
learnt a prior slower than the data it is asked about: the campaign found its synthetic Vel-A
families too slow this way (docs/physics/velocity-families.md, "Fastest layer").
"""
import numpy as np

BAND_MPS = 500
DEPTH_ROWS = 10


def _bias_and_mae(errors):
    return {'bias_mps': float(errors.mean()), 'mae_mps': float(np.abs(errors).mean())}


def velocity_error_profile(predicted_mps, true_mps, band_mps=BAND_MPS, depth_rows=DEPTH_ROWS):
    """predicted_mps, true_mps: [N, 1, depth, width] (or [N, depth, width]) in m/s -> JSON-ready dict."""
    pred, true = (np.asarray(a, dtype=np.float64) for a in (predicted_mps, true_mps))
    if pred.shape != true.shape or pred.ndim not in (3, 4):
        raise ValueError(f'predicted {pred.shape} and true {true.shape} velocities: give two [N, 1, depth, width] arrays')
    if pred.ndim == 4:
        pred, true = pred[:, 0], true[:, 0]
    errors = pred - true
    lo = np.floor(true.min() / band_mps) * band_mps
    count = max(1, int(np.ceil((true.max() - lo) / band_mps)))
    # A velocity on the top edge (4500 m/s for OpenFWI's range) belongs to the last band.
    band = np.minimum(((true - lo) // band_mps).astype(int), count - 1)
    bands = []
    for b in range(count):
        cells = band == b
        if cells.any():
            bands.append({'from_mps': float(lo + b * band_mps), 'to_mps': float(lo + (b + 1) * band_mps),
                          'cells': float(cells.mean()), **_bias_and_mae(errors[cells])})
    depth = [{'rows': [int(top), int(min(top + depth_rows, true.shape[1]))],
              **_bias_and_mae(errors[:, top:top + depth_rows])}
             for top in range(0, true.shape[1], depth_rows)]
    per_model_mae = np.abs(errors).mean(axis=(1, 2))
    fastest = true.max(axis=(1, 2))
    spread = per_model_mae.std() > 0 and fastest.std() > 0
    return {'samples': int(len(true)), **_bias_and_mae(errors), 'by_true_velocity': bands, 'by_depth': depth,
            'model_mae_vs_fastest_velocity_correlation':
                float(np.corrcoef(per_model_mae, fastest)[0, 1]) if len(true) > 1 and spread else None}
