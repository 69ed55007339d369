"""Test data: flat-layered velocity models and their seismic from the independent numpy re-implementation
of OpenFWI's forward modelling (main/core/physics/testing/openfwi_reference.py), in OpenFWI's layout.

Generating 4 samples costs about a minute on one core, so the pair is cached under
native-models/tests/.cache/ (git-ignored), keyed by the reference script's content and the
parameters here; delete the folder to regenerate."""
import hashlib
import importlib.util
import os
import shutil
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REFERENCE = os.path.join(REPO, 'main', 'core', 'physics', 'testing', 'openfwi_reference.py')
CACHE = os.path.join(HERE, '.cache')

N_SAMPLES = 4
SEED = 1


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


def dataset_dir():
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
