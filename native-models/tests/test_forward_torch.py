"""The forward_torch entry point: files in, files out, the same numbers as fd_torch in process."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from tests.test_fd_torch import small_geometry, small_models
from wavediff_models.fd_torch import forward_model

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(args):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    return subprocess.run([sys.executable, '-m', 'wavediff_models.forward_torch'] + args + ['--threads', '1'],
                          cwd=PACKAGE_ROOT, env=env, capture_output=True, text=True, timeout=120)


class TestForwardTorchCli(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix='wavediff-forward-torch-')
        self.addCleanup(shutil.rmtree, self.work, True)
        self.geometry_file = os.path.join(self.work, 'geometry.json')
        with open(self.geometry_file, 'w', encoding='utf-8') as f:
            json.dump(small_geometry('absorbing'), f)

    def test_two_files_in_batches_equal_the_in_process_solver(self):
        velocity = small_models()
        paths = []
        for i, models in enumerate((velocity, velocity[::-1])):
            paths.append((os.path.join(self.work, f'model{i}.npy'), os.path.join(self.work, 'out', f'data{i}.npy')))
            np.save(paths[-1][0], models)
        proc = run(['--velocity'] + [v for v, _ in paths] + ['--out'] + [s for _, s in paths] +
                   ['--geometry', self.geometry_file, '--batch', '1', '--device', 'cpu'])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        expected = forward_model(velocity, small_geometry('absorbing')).numpy()
        np.testing.assert_array_equal(np.load(paths[0][1]), expected)
        np.testing.assert_array_equal(np.load(paths[1][1]), expected[::-1])
        self.assertEqual(sorted(os.listdir(os.path.join(self.work, 'out'))), ['data0.npy', 'data1.npy'])

    def test_time_limit_models_the_first_file_and_skips_the_rest(self):
        velocity = os.path.join(self.work, 'model.npy')
        np.save(velocity, small_models()[:1])
        outputs = [os.path.join(self.work, f'data{i}.npy') for i in range(2)]
        proc = run(['--velocity', velocity, velocity, '--out'] + outputs +
                   ['--geometry', self.geometry_file, '--stop-after-s', '0'])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(os.path.exists(outputs[0]))
        self.assertFalse(os.path.exists(outputs[1]))
        self.assertIn('time limit 0 s: 1 file(s) not modelled', proc.stderr)

    def test_bad_input_names_the_file_and_leaves_no_output(self):
        wrong_shape = os.path.join(self.work, 'wrong.npy')
        np.save(wrong_shape, np.zeros((2, 2, 16, 16), np.float32))
        proc = run(['--velocity', wrong_shape, '--out', os.path.join(self.work, 'never.npy'), '--geometry', self.geometry_file])
        self.assertEqual(proc.returncode, 1)
        self.assertIn('wrong.npy: velocity shape [2, 2, 16, 16]', proc.stderr)
        # Refused while modelling (after the temporary output was opened): 9000 m/s breaks the CFL limit.
        too_fast = os.path.join(self.work, 'fast.npy')
        np.save(too_fast, np.full((1, 1, 16, 16), 9000, np.float32))
        proc = run(['--velocity', too_fast, '--out', os.path.join(self.work, 'never.npy'), '--geometry', self.geometry_file])
        self.assertEqual(proc.returncode, 1)
        self.assertIn('Courant number', proc.stderr)
        self.assertEqual(sorted(os.listdir(self.work)), ['fast.npy', 'geometry.json', 'wrong.npy'])

if __name__ == '__main__':
    unittest.main()
