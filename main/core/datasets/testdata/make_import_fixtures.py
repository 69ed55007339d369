#!/usr/bin/python3
"""Writes the fixtures of main/core/datasets/importChecks.test.ts with numpy and segyio.

Run:  /usr/bin/python3 main/core/datasets/testdata/make_import_fixtures.py OUT_DIR
The test runs it into a temporary folder (the OpenFWI-sized arrays are 1.4 MB, too big to commit).
Outputs:
  pair-narrow/data1.npy   seismic [1, 5, 1000, 70] float32: OpenFWI's recorded shape (5 shots, 1000 ms at 1 ms, 70 receivers)
  pair-narrow/model1.npy  velocity [1, 1, 70, 60] float32: 60 cells wide, too narrow for receivers at x = 0..69
  pair-ok/data1.npy       the same seismic
  pair-ok/model1.npy      velocity [1, 1, 70, 70] float32
  line-25m.sgy            one shot gather (FieldRecord 7) of 12 traces, 100 samples at 2 ms, IEEE float;
                          GroupX = 1000 + 25 m x trace, stored x10 with SourceGroupScalar -10
The values are deterministic (a seeded generator).
"""
import os
import sys

import numpy as np
import segyio

out = sys.argv[1]
rng = np.random.default_rng(20250311)


def save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, array, allow_pickle=False)


seismic = (rng.standard_normal((1, 5, 1000, 70)) * 1e-3).astype(np.float32)
for name, width in (("pair-narrow", 60), ("pair-ok", 70)):
    save(os.path.join(out, name, "data1.npy"), seismic)
    velocity = np.linspace(1500, 4500, 70, dtype=np.float32)[None, None, :, None] * np.ones((1, 1, 70, width), np.float32)
    save(os.path.join(out, name, "model1.npy"), velocity)

spec = segyio.spec()
spec.format = 5
spec.samples = list(range(100))
spec.tracecount = 12
path = os.path.join(out, "line-25m.sgy")
with segyio.create(path, spec) as f:
    f.bin.update({segyio.BinField.Interval: 2000, segyio.BinField.Samples: 100})
    t = np.arange(100, dtype=np.float32)
    for i in range(12):
        f.header[i] = {
            segyio.TraceField.FieldRecord: 7,
            segyio.TraceField.TraceNumber: i + 1,
            segyio.TraceField.SourceGroupScalar: -10,
            segyio.TraceField.SourceX: 10000,
            segyio.TraceField.GroupX: (1000 + 25 * i) * 10,
            segyio.TraceField.offset: 25 * i,
            segyio.TraceField.TRACE_SAMPLE_COUNT: 100,
            segyio.TraceField.TRACE_SAMPLE_INTERVAL: 2000,
        }
        f.trace[i] = np.sin(t / 7.0 + i).astype(np.float32) + 1.5
