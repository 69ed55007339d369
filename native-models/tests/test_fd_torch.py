"""fd_torch against the studio's own FD solver (`wavediff forward`, the TypeScript/WebAssembly
kernels that match OpenFWI's published data to ~1e-5): a small sponge grid with an absorbing top
and with a free surface, and OpenFWI's full geometry on one real FlatVel-A velocity model.
Needs node and the studio's node_modules; without them the tests skip, except under CI=true where
they fail. About 10 s on one core."""
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import zipfile

import numpy as np
import torch

from tests.fixtures import unavailable
from wavediff_models.fd_geometry import GeometryError, openfwi_geometry
from wavediff_models.fd_torch import forward_model

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLI = os.path.join(REPO, 'bin', 'wavediff.mjs')
SHARED = os.environ.get('WAVEDIFF_SHARED') or os.path.join(os.path.dirname(REPO), 'shared')
FLATVEL_A_ZIP = os.path.join(SHARED, 'testdata', 'openfwi', 'FlatVelA_test_vmodel.zip')
# The studio's kernels agree with OpenFWI's data to ~1e-5; float32 rounding in another order is ~1e-6.
TOLERANCE = 1e-4


def relative_l2(ours, reference):
    return float(np.linalg.norm((ours - reference).ravel()) / np.linalg.norm(reference.ravel()))


def studio_forward(velocity_mps, geometry, work_dir):
    """Seismic [N, sources, time, receivers] of velocity [N, 1, nz, nx] by the studio's CLI, one thread."""
    node = shutil.which('node')
    if not node or not os.path.exists(CLI):
        unavailable(f'node or {CLI} not found: the studio\'s solver is the reference')
    velocity_file = os.path.join(work_dir, 'velocity.npy')
    geometry_file = os.path.join(work_dir, 'geometry.json')
    seismic_file = os.path.join(work_dir, 'seismic.npy')
    np.save(velocity_file, velocity_mps.astype(np.float32))
    with open(geometry_file, 'w', encoding='utf-8') as f:
        json.dump(geometry, f)
    proc = subprocess.run([node, CLI, 'forward', '--velocity', velocity_file, '--out', seismic_file,
                           '--geometry', geometry_file, '--threads', '1'],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f'wavediff forward failed ({proc.returncode}): {proc.stderr[-2000:]}')
    return np.load(seismic_file)


def small_geometry(top_surface):
    """As main/core/physics/testing/tinyGeometry.ts (16 x 16 cells, 120 steps recorded every 2nd,
    20-cell sponge), with a third shot off the centre line and receivers at two depths."""
    return {
        'spacingMeters': 10, 'timeStepSeconds': 0.001, 'steps': 120, 'recordEverySteps': 2,
        'wavelet': {'kind': 'ricker', 'peakFrequencyHz': 15, 'delaySeconds': 0.04},
        'sources': [{'x': 2, 'z': 1}, {'x': 13, 'z': 1}, {'x': 7, 'z': 9}],
        'receivers': [{'x': x, 'z': 1} for x in range(16)] + [{'x': x, 'z': 12} for x in range(0, 16, 3)],
        'boundary': {'kind': 'sponge', 'widthCells': 20},
        'topSurface': top_surface,
    }


def small_models():
    """Two 16 x 16 models [2, 1, 16, 16] in m/s: a dipping interface over a faster half-space, and a
    low-velocity lens in a gradient; lateral structure so that every stencil direction matters."""
    z, x = np.mgrid[0:16, 0:16].astype(np.float64)
    dipping = np.where(z > 6 + 0.4 * x, 3600.0, 1900.0)
    lens = 2000.0 + 120.0 * z - 700.0 * np.exp(-((z - 8) ** 2 + (x - 5) ** 2) / 6.0)
    return np.stack([dipping, lens])[:, None].round().astype(np.float32)


class TestAgainstStudioSolver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(int(os.environ.get('WAVEDIFF_TEST_THREADS', '1')))
        cls.work = tempfile.mkdtemp(prefix='wavediff-fd-torch-')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def compare(self, velocity, geometry, name):
        reference = studio_forward(velocity, geometry, self.work)
        ours = forward_model(velocity, geometry).numpy()
        self.assertEqual(ours.shape, reference.shape)
        self.assertEqual(ours.dtype, np.float32)
        self.assertGreater(np.abs(reference).max(), 1e-3, 'the reference recorded no wavefield')
        error = relative_l2(ours, reference)
        print(f'\n  fd_torch vs studio solver, {name}: relative L2 {error:.2e}, '
              f'max |difference| {np.abs(ours - reference).max():.2e} of max |seismic| {np.abs(reference).max():.2f}')
        self.assertLessEqual(error, TOLERANCE)
        return ours

    def test_small_sponge_grid_absorbing_top(self):
        seismic = self.compare(small_models(), small_geometry('absorbing'), 'small grid, absorbing top')
        self.assertEqual(seismic.shape, (2, 3, 60, 22))

    def test_small_sponge_grid_free_surface(self):
        self.compare(small_models(), small_geometry('free'), 'small grid, free surface')

    def test_openfwi_geometry_on_a_real_flatvel_a_model(self):
        if not os.path.exists(FLATVEL_A_ZIP):
            unavailable(f'{FLATVEL_A_ZIP} not found (shared test data; set WAVEDIFF_SHARED)')
        with zipfile.ZipFile(FLATVEL_A_ZIP) as z:
            models = np.load(io.BytesIO(z.read('vmodel11.npy')))
        # Sample 274 has the file's fastest top layer (3470 m/s): the largest amplitudes and the
        # strongest sponge (d0 grows with v_min).
        velocity = np.ascontiguousarray(models[274:275], dtype=np.float32)
        seismic = self.compare(velocity, openfwi_geometry(), 'OpenFWI geometry, FlatVel-A vmodel11[274]')
        self.assertEqual(seismic.shape, (1, 5, 1000, 70))


class TestRefusals(unittest.TestCase):
    def test_unstable_time_step_is_refused(self):
        geometry = dict(openfwi_geometry(), timeStepSeconds=0.002)
        with self.assertRaisesRegex(GeometryError, r'Courant number .* exceeds'):
            forward_model(np.full((1, 1, 70, 70), 4500, np.float32), geometry)

    def test_source_outside_the_model_is_refused(self):
        with self.assertRaisesRegex(GeometryError, r'sources\[4\] = \(x 69, z 1\) lies outside the 70 x 60'):
            forward_model(np.full((1, 1, 70, 60), 3000, np.float32))

    def test_pml_is_left_to_the_studio(self):
        geometry = dict(openfwi_geometry(), boundary={'kind': 'pml', 'widthCells': 20})
        with self.assertRaisesRegex(GeometryError, 'wavediff forward'):
            forward_model(np.full((1, 1, 70, 70), 3000, np.float32), geometry)


if __name__ == '__main__':
    unittest.main()
