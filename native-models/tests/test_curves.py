"""Learning curves (wavediff_models.plot_curves) from the log of a real, tiny training run: an
InversionNet evaluated every 2 steps on a held-out set and on a second named set, stopped at step 4
and resumed to step 6, its JSON lines appended to one log as the campaign script does."""
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from tests import fixtures
from wavediff_models import plot_curves
from wavediff_models.data import content_digest
from wavediff_models.prepared import open_dataset

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THREADS = os.environ.get('WAVEDIFF_TEST_THREADS', '1')
WORK = None
DATA = None
LOG = None


def train(args):
    proc = subprocess.run([sys.executable, '-m', 'wavediff_models.train'] + args + ['--threads', THREADS],
                          cwd=PACKAGE_ROOT, env=dict(os.environ, PYTHONPATH=PACKAGE_ROOT),
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f'train {args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}')
    return proc.stdout


def setUpModule():
    global WORK, DATA, LOG
    WORK = tempfile.mkdtemp(prefix='wavediff-curves-test-')
    data = DATA = fixtures.dataset_dir(WORK)
    out = os.path.join(WORK, 'inversionnet')
    common = ['inversionnet', '--data', data, '--val-data', data, '--eval-data', f'real-flatvel-a={data}',
              '--out', out, '--steps', '6', '--batch-size', '2', '--log-every', '1', '--eval-every', '2',
              '--width', '0.125', '--no-export']
    LOG = os.path.join(WORK, 'inversionnet.jsonl')
    with open(LOG, 'w') as f:
        f.write(train(common + ['--stop-at', '4']))
        f.write(train(common + ['--resume']))


def tearDownModule():
    shutil.rmtree(WORK, ignore_errors=True)


def log_messages():
    with open(LOG) as f:
        return [json.loads(line) for line in f if line.strip()]


def png_size(path):
    """(width, height) from the PNG signature and IHDR chunk."""
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        raise AssertionError(f'{path} is not a PNG')
    return int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24], 'big')


TARGETS = [{'kind': 'inversionnet', 'split': 'real-flatvel-a', 'metric': 'velocity_mae', 'limit': 0.04}]


class TestSummary(unittest.TestCase):
    def test_series_follow_the_metrics_lines_of_both_runs(self):
        messages = log_messages()
        self.assertEqual(sum(m['type'] == 'start' for m in messages), 2)
        summary = plot_curves.summarize([LOG], TARGETS)
        splits = summary['kinds']['inversionnet']['splits']
        self.assertEqual(sorted(splits), ['real-flatvel-a', 'validation'])
        for split, series in splits.items():
            lines = [m for m in messages if m['type'] == 'metrics' and m['split'] == split]
            self.assertEqual(series['step'], [2, 4, 6])
            self.assertEqual(series['step'], [m['step'] for m in lines])
            self.assertEqual(series['samples_seen'], [m['samples_seen'] for m in lines])
            self.assertEqual(series['samples_seen'], [4, 8, 12])  # batch 2
            for name in ('velocity_mae', 'velocity_rmse', 'velocity_ssim'):
                self.assertEqual(series['metrics'][name], [m[name] for m in lines])
            progress = {m['step']: m['elapsed_s'] for m in messages if m['type'] == 'progress'}
            self.assertEqual(series['elapsed_s'], [progress[s] for s in series['step']])
        self.assertEqual(summary['targets'], TARGETS)

    def test_metrics_lines_name_their_set_by_content(self):
        messages = log_messages()
        for split in ('validation', 'real-flatvel-a'):
            digests = {m['data'] for m in messages if m['type'] == 'metrics' and m['split'] == split}
            self.assertEqual(len(digests), 1)  # the same set in both runs
            self.assertRegex(digests.pop(), r'^[0-9a-f]{12}$')
        series = plot_curves.summarize([LOG])['kinds']['inversionnet']['splits']['real-flatvel-a']
        self.assertEqual(series['data'], [m['data'] for m in messages if m['type'] == 'metrics'
                                          and m['split'] == 'real-flatvel-a'])
        # The digest follows the content, not the path: a copy keeps it, one changed cell changes it.
        copy = os.path.join(WORK, 'digest-copy')
        shutil.copytree(DATA, copy)
        dataset, indices = open_dataset(DATA), np.arange(len(open_dataset(DATA)))
        self.assertEqual(content_digest(open_dataset(copy), indices), content_digest(dataset, indices))
        model = sorted(f for f in os.listdir(copy) if f.startswith('model'))[0]
        velocity = np.load(os.path.join(copy, model))
        velocity[-1, 0, 69, 69] += 1.0
        np.save(os.path.join(copy, model), velocity)
        self.assertNotEqual(content_digest(open_dataset(copy), indices), content_digest(dataset, indices))

    def test_a_step_logged_twice_keeps_its_last_line(self):
        messages = log_messages()
        again = dict(next(m for m in messages if m['type'] == 'metrics' and m['step'] == 4), velocity_mae=0.5)
        series = plot_curves.summarize_messages(messages + [again])[again['split']]
        self.assertEqual(series['step'], [2, 4, 6])
        self.assertEqual(series['metrics']['velocity_mae'][1], 0.5)

    def test_a_start_cuts_the_series_back_to_its_step_and_a_fresh_start_to_nothing(self):
        messages = log_messages()
        split = next(m['split'] for m in messages if m['type'] == 'metrics')
        later = dict(next(m for m in messages if m['type'] == 'metrics' and m['step'] == 4), velocity_mae=0.5)
        resumed = plot_curves.summarize_messages(messages + [{'type': 'start', 'step': 2, 'resumed': True}, later])
        self.assertEqual(resumed[split]['step'], [2, 4])  # step 6 of the abandoned run is gone
        self.assertEqual(resumed[split]['metrics']['velocity_mae'][1], 0.5)
        first = dict(next(m for m in messages if m['type'] == 'metrics' and m['step'] == 2), velocity_mae=0.7)
        fresh = plot_curves.summarize_messages(messages + [{'type': 'start', 'step': 0, 'resumed': False}, first])
        self.assertEqual(fresh[split]['step'], [2])
        self.assertEqual(fresh[split]['metrics']['velocity_mae'], [0.7])
        self.assertEqual(fresh[split]['elapsed_s'], [None])  # no progress line since the fresh start

    def test_a_log_continues_an_earlier_summary_whose_own_log_is_gone(self):
        messages = log_messages()
        second = [i for i, m in enumerate(messages) if m['type'] == 'start'][1]
        first_run, second_run = (os.path.join(WORK, name, 'inversionnet.jsonl') for name in ('run1', 'run2'))
        for path, part in ((first_run, messages[:second]), (second_run, messages[second:])):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.writelines(json.dumps(m) + '\n' for m in part)
        earlier = plot_curves.summarize([first_run], TARGETS)
        earlier['kinds']['stage2'] = {'log': 'stage2.jsonl', 'splits': {}, 'cycle_ends': [8]}
        continued = plot_curves.summarize([second_run], TARGETS, earlier)
        whole = plot_curves.summarize([LOG], TARGETS)
        self.assertEqual(continued['kinds']['inversionnet'], whole['kinds']['inversionnet'])
        self.assertEqual(continued['kinds']['stage2'], earlier['kinds']['stage2'])  # no log of it: kept
        # A fresh start (the first run's start line) drops the earlier history.
        self.assertEqual(plot_curves.summarize([first_run], TARGETS, whole), earlier | {'kinds': {
            'inversionnet': earlier['kinds']['inversionnet']}})

    def test_a_run_started_from_trained_weights_continues_their_curve(self):
        warm = train(['inversionnet', '--data', DATA, '--val-data', DATA, '--eval-data', f'real-flatvel-a={DATA}',
                      '--out', os.path.join(WORK, 'warm'), '--init-weights', os.path.join(WORK, 'inversionnet'),
                      '--steps', '2', '--batch-size', '2', '--log-every', '1', '--eval-every', '2',
                      '--width', '0.125', '--no-export'])
        lines = [json.loads(line) for line in warm.splitlines() if line.strip()]
        start = next(m for m in lines if m['type'] == 'start')
        self.assertEqual((start['resumed'], start['earlier']['steps'], start['earlier']['samples_seen']), (False, 6, 12))
        path = os.path.join(WORK, 'warm.jsonl')
        with open(path, 'w') as f:
            f.write(open(LOG).read() + warm)
        kind = plot_curves.summarize([path], TARGETS)['kinds']['inversionnet']
        series = kind['splits']['real-flatvel-a']
        self.assertEqual(series['step'], [2, 4, 6, 8])
        self.assertEqual(series['samples_seen'], [4, 8, 12, 16])
        own_time = [m['elapsed_s'] for m in lines if m['type'] == 'progress' and m['step'] == 2][-1]
        self.assertAlmostEqual(series['elapsed_s'][-1], start['earlier']['training_time_s'] + own_time, places=9)
        self.assertEqual(series['metrics']['velocity_mae'][-1],
                         [m for m in lines if m['type'] == 'metrics' and m['split'] == 'real-flatvel-a'][-1]['velocity_mae'])
        self.assertEqual(kind['cycle_ends'], [6, 8])  # the first run's cycle, then the new run's

    def test_trend_is_the_power_law_through_the_last_two_points(self):
        series = plot_curves.summarize([LOG])['kinds']['inversionnet']['splits']['real-flatvel-a']
        s, m = series['samples_seen'], series['metrics']['velocity_mae']
        result = plot_curves.trend(s, m, 0.04)
        b = (math.log(m[2]) - math.log(m[1])) / (math.log(s[2]) - math.log(s[1]))
        self.assertAlmostEqual(result['exponent'], b, places=12)
        self.assertAlmostEqual(result['value_at_double'], m[2] * 2 ** b, places=12)
        if b < 0:
            self.assertAlmostEqual(math.log(result['samples_to_target']), math.log(s[2]) + math.log(0.04 / m[2]) / b,
                                   places=9)
        self.assertEqual(plot_curves.trend([100, 200], [0.2, 0.1], 0.025)['samples_to_target'], 800)
        self.assertIsNone(plot_curves.trend([100, 200], [0.1, 0.1], 0.05)['samples_to_target'])
        self.assertEqual(plot_curves.trend([100, 200], [0.2, 0.03], 0.04)['samples_to_target'], 200)
        self.assertIsNone(plot_curves.trend([100], [0.2], 0.04))

    def test_trend_runs_between_the_ends_of_the_last_two_cycles_where_two_have_ended(self):
        summary = plot_curves.summarize([LOG])
        self.assertEqual(summary['kinds']['inversionnet']['cycle_ends'], [6])  # one cycle: the last two points
        samples, values, steps = [100, 200, 300, 400, 500], [0.4, 0.3, 0.28, 0.2, 0.19], [1, 2, 3, 4, 5]
        result = plot_curves.trend(samples, values, 0.04, steps, [2, 4, 6])  # the cycle ending at 6 is not done
        self.assertEqual((result['previous_samples_seen'], result['samples_seen']), (200, 400))
        self.assertAlmostEqual(result['exponent'], math.log(0.2 / 0.3) / math.log(2), places=12)
        cycles = [{'start': 0, 'end': 2}, {'start': 2, 'end': 5}, {'start': 4, 'end': 6}]  # the second replaced at 4
        start = {'type': 'start', 'config': {'train': {'cycles': cycles}}}
        self.assertEqual(plot_curves.cycle_ends([{'type': 'start'}, start]), [2, 6])
        one_end = plot_curves.trend(samples, values, 0.04, steps, [4])
        self.assertEqual((one_end['previous_samples_seen'], one_end['samples_seen']), (400, 500))


    def test_trend_reads_only_the_points_measured_on_the_last_set(self):
        samples, values, steps = [100, 200, 300, 400, 500], [0.4, 0.3, 0.2, 0.25, 0.22], [1, 2, 3, 4, 5]
        changed = plot_curves.trend(samples, values, 0.04, steps, [2, 3, 5], ['a', 'a', 'a', 'b', 'b'])
        self.assertEqual((changed['previous_samples_seen'], changed['samples_seen']), (400, 500))  # not 300 -> 500
        self.assertAlmostEqual(changed['exponent'], math.log(0.22 / 0.25) / math.log(500 / 400), places=12)
        # Points logged before sets were named are not known to share the last point's set.
        unnamed = plot_curves.trend(samples, values, 0.04, steps, [], [None, None, None, 'b', 'b'])
        self.assertEqual(unnamed['previous_samples_seen'], 400)
        self.assertIsNone(plot_curves.trend(samples, values, 0.04, steps, [], [None] * 4 + ['b']))
        whole = plot_curves.trend(samples, values, 0.04, steps, [], [None] * 5)  # an old log: read whole
        self.assertEqual(whole['previous_samples_seen'], 400)
        self.assertEqual(plot_curves.trend(samples, values, 0.04, steps, [2, 3], [None] * 5)['samples_seen'], 300)
        # A committed summary keeps the digests for the logs that continue it.
        summary = plot_curves.summarize([LOG])
        again = plot_curves.summarize_messages(plot_curves.summary_messages(summary['kinds']['inversionnet']))
        self.assertEqual(again, summary['kinds']['inversionnet']['splits'])


def needs_matplotlib():
    if importlib.util.find_spec('matplotlib') is None:
        fixtures.unavailable('python3-matplotlib is not installed (scripts/setup.sh installs it)')


class TestFigure(unittest.TestCase):
    def setUp(self):
        needs_matplotlib()

    def test_splits_sharing_a_limit_get_one_line_and_one_label(self):
        import matplotlib.pyplot as plt
        targets = TARGETS + [dict(TARGETS[0], split='validation'),
                             dict(TARGETS[0], split='real-curvevel-a', limit=0.1)]
        fig = plot_curves.figure(plot_curves.summarize([LOG], targets))
        try:
            ax = fig.axes[0]
            labels = sorted(t.get_text() for t in ax.texts)
            self.assertEqual(labels, ['target real-curvevel-a 0.1', 'target real-flatvel-a, validation 0.04'])
            self.assertEqual(sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == '--'), [0.04, 0.1])
        finally:
            plt.close(fig)

    def test_sample_counts_read_as_short_labels(self):
        self.assertEqual([plot_curves.compact_count(x) for x in (500, 2e4, 1.5e6, 1e5)], ['500', '20k', '1.5M', '100k'])


class TestCommandLine(unittest.TestCase):
    def setUp(self):
        needs_matplotlib()

    def run_cli(self, args):
        proc = subprocess.run([sys.executable, '-m', 'wavediff_models.plot_curves'] + args, cwd=PACKAGE_ROOT,
                              env=dict(os.environ, PYTHONPATH=PACKAGE_ROOT), capture_output=True, text=True,
                              timeout=120)
        return proc

    def test_writes_summary_and_png_then_remakes_the_png_from_the_summary_alone(self):
        targets = os.path.join(WORK, 'targets.json')
        with open(targets, 'w') as f:
            json.dump(TARGETS, f)
        summary = os.path.join(WORK, 'out', 'curves.json')
        png = os.path.join(WORK, 'out', 'curves.png')
        first = self.run_cli(['--logs', LOG, '--summary', summary, '--targets', targets, '--png', png])
        self.assertEqual(first.returncode, 0, first.stderr)
        report = json.loads(first.stdout)
        self.assertEqual(report['png'], png)
        self.assertEqual([t['split'] for t in report['trends']], ['real-flatvel-a'])
        self.assertGreater(report['trends'][0]['samples_per_s'], 0)
        with open(summary) as f:
            self.assertEqual(json.load(f), json.loads(json.dumps(plot_curves.summarize([LOG], TARGETS))))
        self.assertEqual(png_size(png), (int(4.6 * 110), int(3.6 * 110)))  # one panel at 110 dpi

        again = os.path.join(WORK, 'again.png')
        second = self.run_cli(['--summary', summary, '--png', again])
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(json.loads(second.stdout)['trends'], report['trends'])
        self.assertEqual(png_size(again), png_size(png))

    def test_refuses_a_file_that_is_not_a_log(self):
        bad = os.path.join(WORK, 'bad.jsonl')
        with open(bad, 'w') as f:
            f.write('{"type": "start", "kind": "stage1"}\nnot json\n')
        proc = self.run_cli(['--logs', bad, '--summary', os.path.join(WORK, 'x.json')])
        self.assertEqual(proc.returncode, 1)
        self.assertIn('bad.jsonl:2: not a JSON line', proc.stderr)


if __name__ == '__main__':
    unittest.main()
