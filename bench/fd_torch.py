"""fd_torch benchmark on the OpenFWI case (`npm run bench:fd-torch`): cell updates per second of
native-models' PyTorch FD solver and of the studio's solver (`wavediff forward --threads 1`, the
kernel 'auto' picks), on the same real FlatVel-A models, and their ratio.

    /usr/bin/python3 bench/fd_torch.py [--device cpu|cuda] [--threads 1] [--batch 1,4] [--no-studio]

One OpenFWI sample is 310 x 310 padded cells x 1000 steps x 5 shots = 4.8e8 cell updates. Rates are
by wall clock and, on CPU, per CPU second of the process (steadier when other work shares the
cores). The studio's rate is the difference between a 5-sample and a 1-sample run of the CLI, so
node's start-up cancels out."""
import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'native-models'))

import torch  # noqa: E402

from wavediff_models.fd_geometry import openfwi_geometry  # noqa: E402
from wavediff_models.fd_torch import forward_model  # noqa: E402

SHARED = os.environ.get('WAVEDIFF_SHARED') or os.path.join(os.path.dirname(ROOT), 'shared')
FLATVEL_A_ZIP = os.path.join(SHARED, 'testdata', 'openfwi', 'FlatVelA_test_vmodel.zip')
CELLS_PER_SAMPLE = 310 * 310 * 1000 * 5


def velocity_models(count):
    """count real FlatVel-A models [count, 1, 70, 70] m/s, or flat two-layer ones without the shared data."""
    if os.path.exists(FLATVEL_A_ZIP):
        with zipfile.ZipFile(FLATVEL_A_ZIP) as z:
            return np.ascontiguousarray(np.load(io.BytesIO(z.read('vmodel11.npy')))[:count], dtype=np.float32), 'FlatVel-A vmodel11'
    print(f'note: {FLATVEL_A_ZIP} missing; two-layer models instead')
    models = np.full((count, 1, 70, 70), 2000.0, np.float32)
    models[:, :, 35:] = 3500.0
    return models, 'two-layer'


def cpu_seconds(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def bench_fd_torch(models, device, batch, repeats):
    """Best wall and CPU seconds of forward_model on `batch` models; returns (wall, cpu, seismic)."""
    velocity = models[:batch]
    forward_model(velocity[:1], device=device)  # warm-up: allocator, CUDA context
    best_wall, best_cpu, seismic = float('inf'), float('inf'), None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
        seismic = forward_model(velocity, device=device)
        if seismic.is_cuda:
            torch.cuda.synchronize()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, cpu_seconds(resource.RUSAGE_SELF) - cpu)
    return best_wall, best_cpu, seismic.cpu().numpy()


def run_studio(models, work):
    """Wall and child CPU seconds of `wavediff forward --threads 1` on models; and its seismic."""
    velocity_file, seismic_file = os.path.join(work, 'v.npy'), os.path.join(work, 's.npy')
    np.save(velocity_file, models)
    wall, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    subprocess.run(['node', os.path.join(ROOT, 'bin', 'wavediff.mjs'), 'forward', '--velocity', velocity_file,
                    '--out', seismic_file, '--threads', '1'], cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - wall, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu, np.load(seismic_file)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--batch', default='1,4', help='batch sizes to time, e.g. 1,4 (CPU) or 64,128,256 (GPU)')
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--no-studio', action='store_true', help='skip the studio solver (e.g. on a machine without node)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    batches = [int(b) for b in args.batch.split(',')]
    models, source = velocity_models(max(batches + [5]))
    print(f'fd_torch bench: OpenFWI case, {source}, 310 x 310 padded grid, 1000 steps, 5 shots; torch {torch.__version__}, '
          f'device {args.device}, {torch.get_num_threads()} thread(s), load average {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    torch_rates = {}
    seismic = None
    for batch in batches:
        wall, cpu, out = bench_fd_torch(models, args.device, batch, args.repeats)
        seismic = out if seismic is None or len(out) > len(seismic) else seismic
        torch_rates[batch] = (batch * CELLS_PER_SAMPLE / wall, batch * CELLS_PER_SAMPLE / cpu)
        cpu_text = f'; {torch_rates[batch][1] / 1e9:.3f}e9 per CPU second' if args.device == 'cpu' else ''
        print(f'fd_torch batch {batch:4d}: {torch_rates[batch][0] / 1e9:.3f}e9 cell updates/s{cpu_text}, '
              f'{batch / wall:.2f} samples/s')
    if args.no_studio or not shutil.which('node'):
        print('studio solver: not run (--no-studio or no node); README (main/core/physics): wasm 1.17-1.24e9, '
              'native 2.6e9 cell updates per CPU second on one thread of the 2-core machine')
        return
    work = tempfile.mkdtemp(prefix='wavediff-bench-fd-torch-')
    try:
        wall1, cpu1, _ = run_studio(models[:1], work)
        wall5, cpu5, studio = run_studio(models[:5], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    studio_wall = 4 * CELLS_PER_SAMPLE / max(wall5 - wall1, 1e-9)
    studio_cpu = 4 * CELLS_PER_SAMPLE / max(cpu5 - cpu1, 1e-9)
    print(f'studio solver (wavediff forward --threads 1, 5 minus 1 samples): {studio_wall / 1e9:.3f}e9 cell updates/s; '
          f'{studio_cpu / 1e9:.3f}e9 per CPU second')
    n = min(len(seismic), len(studio))
    error = np.linalg.norm(seismic[:n] - studio[:n]) / np.linalg.norm(studio[:n])
    print(f'fd_torch against the studio solver on {n} sample(s): relative L2 {error:.2e}')
    best = max(torch_rates, key=lambda b: torch_rates[b][1 if args.device == 'cpu' else 0])
    by_cpu = f'; per CPU second {torch_rates[best][1] / studio_cpu:.2f}' if args.device == 'cpu' else ''
    print(f'ratio fd_torch/studio (batch {best}) {torch_rates[best][0] / studio_wall:.2f} by wall clock{by_cpu}')


if __name__ == '__main__':
    main()
