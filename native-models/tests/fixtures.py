"""Test data in OpenFWI's layout, made by the studio's own synthesis when it runs here:

    node bin/wavediff.mjs synth --family flatvel-a --count 8 --seed 1 --out DIR --threads 1

(a few seconds; made afresh in a temporary folder per test run), otherwise by the independent numpy
re-implementation of OpenFWI's forward modelling (main/core/physics/testing/openfwi_reference.py) on
4 flat-layered models. That costs about a minute on one core, so its output is cached under
native-models/tests/.cache/ (git-ignored), keyed by the reference script's content and the
parameters here; delete the folder to regenerate."""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REFERENCE = os.path.join(REPO, 'main', 'core', 'physics', 'testing', 'openfwi_reference.py')
CACHE = os.path.join(HERE, '.cache')

IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')

N_SAMPLES = 4
SEED = 1


def unavailable(reason):
    """A missing prerequisite: a failure on CI, a skip elsewhere."""
    if IN_CI:
        raise AssertionError(f'{reason} (CI=true: this test must run)')
    raise unittest.SkipTest(reason)


def layered_velocity_models(n, seed):
    """n flat-layered models [n, 1, 70, 70] in m/s, whole numbers: 2-4 layers, velocity increasing
    with depth between 1500 and 4500 m/s (FlatVel-A-like)."""
    rng = np.random.RandomState(seed)
    models = np.zeros((n, 1, 70, 70), dtype=np.float32)
    for i in range(n):
        layers = rng.randint(2, 5)
        tops = np.sort(rng.choice(np.arange(8, 62), layers - 1, replace=False))
        speeds = np.sort(rng.uniform(1500, 4500, layers)).round()
        profile = np.full(70, speeds[0], dtype=np.float32)
        for top, speed in zip(tops, speeds[1:]):
            profile[top:] = speed
        models[i, 0] = profile[:, None]
    return models


def _load_reference():
    spec = importlib.util.spec_from_file_location('openfwi_reference', REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SYNTH_COUNT = 8
SYNTH_FAMILY = 'flatvel-a'


def synth_dataset(out_dir):
    """The studio's `synth` into out_dir; False when the CLI is not there or fails (then say why)."""
    cli = os.path.join(REPO, 'bin', 'wavediff.mjs')
    node = shutil.which('node')
    if not node or not os.path.exists(cli):
        return False
    try:
        proc = subprocess.run([node, cli, 'synth', '--family', SYNTH_FAMILY, '--count', str(SYNTH_COUNT),
                               '--seed', str(SEED), '--out', out_dir, '--threads', '1'],
                              cwd=REPO, capture_output=True, text=True, timeout=240)
    except (OSError, subprocess.TimeoutExpired) as e:
        sys.stderr.write(f'fixtures: wavediff synth unavailable ({e}); using the numpy reference\n')
        return False
    if proc.returncode != 0 or not os.path.exists(os.path.join(out_dir, 'data1.npy')):
        sys.stderr.write(f'fixtures: wavediff synth failed ({proc.returncode}): {proc.stderr[-500:]}; '
                         f'using the numpy reference\n')
        return False
    return True


def dataset_dir(work_dir=None):
    """A folder of OpenFWI pairs: the studio's synthesis (8 FlatVel-A samples, written under work_dir)
    when available, else the cached numpy-reference pair data1.npy [4, 5, 1000, 70] / model1.npy."""
    if work_dir is not None:
        out = os.path.join(work_dir, 'synth-flatvel-a')
        if synth_dataset(out):
            return out
    return reference_dataset_dir()


def reference_dataset_dir():
    """Folder holding data1.npy [4, 5, 1000, 70] and model1.npy [4, 1, 70, 70]; built on first use."""
    if not os.path.exists(REFERENCE):
        raise FileNotFoundError(f'{REFERENCE}: the numpy reference forward model is needed to make test data')
    with open(REFERENCE, 'rb') as f:
        key = hashlib.sha256(f.read() + f'{N_SAMPLES}-{SEED}-float32'.encode()).hexdigest()[:16]
    folder = os.path.join(CACHE, f'layered-{key}')
    if os.path.exists(os.path.join(folder, 'data1.npy')):
        return folder
    reference = _load_reference()
    velocity = layered_velocity_models(N_SAMPLES, SEED)
    seismic = np.stack([reference.forward_one(velocity[i, 0], list(range(5)), np.float32)
                        for i in range(N_SAMPLES)]).astype(np.float32)
    os.makedirs(CACHE, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=CACHE)
    np.save(os.path.join(tmp, 'model1.npy'), velocity)
    np.save(os.path.join(tmp, 'data1.npy'), seismic)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process made it first
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
