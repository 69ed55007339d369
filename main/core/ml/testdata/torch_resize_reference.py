"""Writes inputs and PyTorch's outputs for the app's resize and normalisation functions to compare
against (run with Debian's /usr/bin/python3): python3 torch_resize_reference.py OUT_DIR"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(3)
seismic = rng.normal(0, 8, size=(5, 1000, 70)).astype(np.float32)
velocity = rng.uniform(-1, 1, size=(1, 64, 64)).astype(np.float32)
np.save(out / 'seismic.npy', seismic)
np.save(out / 'velocity64.npy', velocity)
t = torch.from_numpy(seismic)[None]
np.save(out / 'seismic_area_256x64.npy', F.adaptive_avg_pool2d(t, (256, 64))[0].numpy())
np.save(out / 'seismic_bilinear_1000x70.npy',
        F.interpolate(F.adaptive_avg_pool2d(t, (256, 64)), size=(1000, 70), mode='bilinear', align_corners=False)[0].numpy())
np.save(out / 'velocity_bilinear_70x70.npy',
        F.interpolate(torch.from_numpy(velocity)[None], size=(70, 70), mode='bilinear', align_corners=False)[0].numpy())
lo, hi = -26.95, 52.77
log_lo, log_hi = float(np.sign(lo) * np.log1p(abs(lo))), float(np.log1p(hi))
norm = 2.0 * (torch.sign(t) * torch.log1p(torch.abs(t)) - log_lo) / (log_hi - log_lo) - 1.0
np.save(out / 'seismic_normalized.npy', norm[0].numpy())
json.dump({'log_min': log_lo, 'log_max': log_hi}, open(out / 'normalization.json', 'w'))
