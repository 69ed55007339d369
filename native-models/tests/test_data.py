"""Normalisation, resizing, dataset discovery and batch gathering."""
import json
import math
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from wavediff_models.data import (BatchSampler, DataError, Normalization, OpenFWIDataset, discover_pairs,
                                  padded_traces, resize_area, split_indices)
from wavediff_models import pair_list


class TestNormalization(unittest.TestCase):
    def test_velocity_linear(self):
        n = Normalization()
        np.testing.assert_allclose(n.velocity(np.array([1500.0, 3000.0, 4500.0])), [-1.0, 0.0, 1.0])
        np.testing.assert_allclose(n.velocity_inverse(np.array([-1.0, 1.0])), [1500.0, 4500.0])

    def test_seismic_flatvel_a_limits(self):
        n = Normalization((-26.95, 52.77))
        lo, hi = -math.log1p(26.95), math.log1p(52.77)
        self.assertAlmostEqual(n.log_lo, lo)
        self.assertAlmostEqual(n.log_hi, hi)
        x = np.array([-26.95, 0.0, 52.77, 1.0])
        expected = [-1.0, 2 * (0 - lo) / (hi - lo) - 1, 1.0, 2 * (math.log(2) - lo) / (hi - lo) - 1]
        np.testing.assert_allclose(n.seismic(x), expected, rtol=1e-12)
        np.testing.assert_allclose(n.seismic_inverse(n.seismic(x)), x, atol=1e-9)
        t = torch.tensor(x)
        np.testing.assert_allclose(n.seismic(t).numpy(), expected, rtol=1e-12)

    def test_manifest_round_trip(self):
        n = Normalization((-24.96, 48.93), 'style-a')
        m = Normalization.from_dict(json.loads(json.dumps(n.to_dict())))
        self.assertEqual(m.seismic_limits, (-24.96, 48.93))
        self.assertEqual(m.family, 'style-a')

    def test_rejects_limits_without_zero_between(self):
        with self.assertRaises(DataError):
            Normalization((1.0, 5.0))


class TestResize(unittest.TestCase):
    def test_area_halving_averages_pairs(self):
        x = torch.arange(16.0).reshape(1, 1, 4, 4)
        y = resize_area(x, (2, 2))
        self.assertEqual(y.tolist(), [[[[2.5, 4.5], [10.5, 12.5]]]])

    def test_area_fractional_matches_footprint_formula(self):
        x = torch.randn(1, 2, 1000, 70, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
        y = resize_area(x, (256, 64))
        for i in (0, 1, 100, 255):
            for j in (0, 13, 63):
                r0, r1 = (i * 1000) // 256, -(-(i + 1) * 1000 // 256)
                c0, c1 = (j * 70) // 64, -(-(j + 1) * 70 // 64)
                self.assertAlmostEqual(float(y[0, 1, i, j]), float(x[0, 1, r0:r1, c0:c1].mean()), places=12)


class TestDataset(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        # Loader mechanics only: sample i of file k holds the value 100 k + i everywhere.
        for k, n in ((1, 3), (2, 2)):
            seis = np.zeros((n, 5, 10, 7), np.float32) + (100 * k + np.arange(n, dtype=np.float32))[:, None, None, None]
            vel = np.zeros((n, 1, 6, 6), np.float32) + (100 * k + np.arange(n, dtype=np.float32))[:, None, None, None]
            np.save(os.path.join(self.dir, f'data{k}.npy'), seis)
            np.save(os.path.join(self.dir, f'model{k}.npy'), vel)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_folder_pairs_and_gather_order(self):
        ds = OpenFWIDataset(self.dir)
        self.assertEqual(len(ds), 5)
        self.assertEqual(ds.seismic_shape, (5, 10, 7))
        got = ds.seismic(np.array([4, 0, 2, 3]))[:, 0, 0, 0]
        self.assertEqual(got.tolist(), [201.0, 100.0, 102.0, 200.0])
        self.assertEqual(ds.velocity(np.array([3]))[0, 0, 0, 0], 200.0)

    def test_json_pair_list(self):
        spec = os.path.join(self.dir, 'list.json')
        with open(spec, 'w') as f:
            json.dump({'name': 'two', 'families': ['flatvel-a'],
                       'pairs': [{'seismic': 'data2.npy', 'velocity': 'model2.npy'}]}, f)
        ds = OpenFWIDataset(spec)
        self.assertEqual(len(ds), 2)
        self.assertEqual(ds.description['families'], ['flatvel-a'])

    def test_pair_list_rows_select_samples_in_order(self):
        spec = os.path.join(self.dir, 'rows.json')
        with open(spec, 'w') as f:
            json.dump({'pairs': [{'seismic': 'data1.npy', 'velocity': 'model1.npy', 'rows': [2, 0]},
                                 {'seismic': 'data2.npy', 'velocity': 'model2.npy'}]}, f)
        ds = OpenFWIDataset(spec)
        self.assertEqual(len(ds), 4)
        self.assertEqual(ds.description['N'], 4)
        self.assertEqual(ds.seismic(np.array([0, 1, 2, 3]))[:, 0, 0, 0].tolist(), [102.0, 100.0, 200.0, 201.0])
        self.assertEqual(ds.velocity(np.array([3, 0]))[:, 0, 0, 0].tolist(), [201.0, 102.0])
        for bad in ([3], [], [-1], 'all'):
            with open(spec, 'w') as f:
                json.dump({'pairs': [{'seismic': 'data1.npy', 'velocity': 'model1.npy', 'rows': bad}]}, f)
            with self.assertRaises(DataError, msg=str(bad)):
                OpenFWIDataset(spec)

    def test_trace_masks_from_a_pair_list(self):
        # File 1 pads receiver 6 of every gather and receiver 0 of sample 2's source 4; file 2 has no mask.
        mask = np.ones((3, 5, 7), np.uint8)
        mask[:, :, 6] = 0
        mask[2, 4, 0] = 0
        np.save(os.path.join(self.dir, 'data1.tracemask.npy'), mask)
        spec = os.path.join(self.dir, 'masked.json')
        with open(spec, 'w') as f:
            json.dump({'pairs': [{'seismic': 'data1.npy', 'velocity': 'model1.npy', 'trace_mask': 'data1.tracemask.npy'},
                                 {'seismic': 'data2.npy', 'velocity': 'model2.npy'}]}, f)
        ds = OpenFWIDataset(spec)
        self.assertEqual(ds.padded_traces, 3 * 5 + 1)
        self.assertEqual(ds.description['padded_traces'], 16)
        got = ds.trace_mask(np.array([4, 2]))
        self.assertEqual(got.dtype, np.float32)
        np.testing.assert_array_equal(got[0], np.ones((5, 7)))
        np.testing.assert_array_equal(got[1], mask[2])
        self.assertEqual(padded_traces(ds, np.array([0, 3, 4])), 5)
        self.assertEqual(padded_traces(ds, np.arange(5)), 16)
        # In a folder, data1.npy's mask is data1.tracemask.npy beside it.
        self.assertEqual(padded_traces(OpenFWIDataset(self.dir), np.arange(5)), 16)
        os.remove(os.path.join(self.dir, 'data1.tracemask.npy'))
        self.assertIsNone(OpenFWIDataset(self.dir).trace_mask(np.arange(5)))

    def test_trace_mask_of_another_shape_is_refused(self):
        np.save(os.path.join(self.dir, 'bad.tracemask.npy'), np.ones((3, 5, 6), np.uint8))
        spec = os.path.join(self.dir, 'bad.json')
        with open(spec, 'w') as f:
            json.dump({'pairs': [{'seismic': 'data1.npy', 'velocity': 'model1.npy', 'trace_mask': 'bad.tracemask.npy'}]}, f)
        with self.assertRaises(DataError) as cm:
            OpenFWIDataset(spec)
        self.assertIn('bad.tracemask.npy: uint8 [3, 5, 6], expected uint8 trace mask', str(cm.exception))
        self.assertIn('[3, 5, 7]', str(cm.exception))

    def test_synthesis_record_gives_family(self):
        with open(os.path.join(self.dir, 'synthesis.json'), 'w') as f:
            json.dump({'version': 1, 'family': 'curvevel-a', 'seed': 4, 'count': 5}, f)
        ds = OpenFWIDataset(self.dir)
        self.assertEqual(ds.description['families'], ['curvevel-a'])
        self.assertEqual(ds.description['synthesis']['seed'], 4)

    def test_missing_partner_names_the_file(self):
        os.remove(os.path.join(self.dir, 'model2.npy'))
        with self.assertRaises(DataError) as cm:
            discover_pairs(self.dir)
        self.assertIn('data2.npy', str(cm.exception))

    def test_sample_count_mismatch(self):
        np.save(os.path.join(self.dir, 'model2.npy'), np.zeros((3, 1, 6, 6), np.float32))
        with self.assertRaises(DataError) as cm:
            OpenFWIDataset(self.dir)
        self.assertIn('model2.npy', str(cm.exception))

    def test_wrong_dtype(self):
        np.save(os.path.join(self.dir, 'data2.npy'), np.zeros((2, 5, 10, 7), np.float64))
        with self.assertRaises(DataError) as cm:
            OpenFWIDataset(self.dir)
        self.assertIn('float64', str(cm.exception))


class TestPairList(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)

    def write(self, folder, k, seismic_value, with_model=True):
        os.makedirs(os.path.join(self.root, 'train', folder), exist_ok=True)
        np.save(os.path.join(self.root, 'train', folder, f'data{k}.npy'), np.full((1, 5, 10, 7), seismic_value, np.float32))
        if with_model:
            np.save(os.path.join(self.root, 'train', folder, f'model{k}.npy'), np.full((1, 1, 7, 7), 2000.0, np.float32))

    def test_blocks_of_a_family_follow_it_in_file_order(self):
        self.write('flatvel-a', 1, 1.0)
        self.write('flatvel-a', 2, 2.0)
        self.write('flatvel-a.1', 10, 10.0)
        self.write('flatvel-a.1', 9, 9.0)
        self.write('flatvel-a.1', 11, 11.0, with_model=False)  # still being modelled: left out
        self.write('curvevel-a', 1, 100.0)
        self.assertEqual(pair_list.main([self.root, 'train', 'flatvel-a', 'flatvel-a.1', 'curvevel-a']), 0)
        with open(os.path.join(self.root, 'train.json')) as f:
            spec = json.load(f)
        self.assertEqual(spec['families'], ['flatvel-a', 'curvevel-a'])
        self.assertEqual([p['seismic'] for p in spec['pairs']],
                         ['train/flatvel-a/data1.npy', 'train/flatvel-a/data2.npy', 'train/flatvel-a.1/data9.npy',
                          'train/flatvel-a.1/data10.npy', 'train/curvevel-a/data1.npy'])
        ds = OpenFWIDataset(os.path.join(self.root, 'train.json'))
        self.assertEqual(ds.seismic(np.arange(5))[:, 0, 0, 0].tolist(), [1.0, 2.0, 9.0, 10.0, 100.0])


class TestSampling(unittest.TestCase):
    def test_split_is_seeded_and_disjoint(self):
        a = split_indices(20, 0.1, 3)
        b = split_indices(20, 0.1, 3)
        self.assertEqual(a[0].tolist(), b[0].tolist())
        self.assertEqual(len(a[1]), 2)
        self.assertFalse(set(a[0]) & set(a[1]))

    def test_sampler_state_round_trip(self):
        s = BatchSampler(np.arange(10), 3, 7)
        for _ in range(4):
            s.next()
        state = s.state_dict()
        expected = [s.next().tolist() for _ in range(5)]
        t = BatchSampler(np.arange(10), 3, 99)
        t.load_state_dict(state)
        self.assertEqual([t.next().tolist() for _ in range(5)], expected)

    def test_state_of_a_larger_set_starts_a_new_epoch_on_a_smaller_one(self):
        s = BatchSampler(np.arange(100), 8, 7)
        s.next()
        t = BatchSampler(np.arange(20, 30), 8, 7)
        t.load_state_dict(s.state_dict())
        for _ in range(3):
            batch = t.next()
            self.assertEqual(len(batch), 8)
            self.assertTrue(set(batch.tolist()) <= set(range(20, 30)))


if __name__ == '__main__':
    unittest.main()
