#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: the system packages the studio and its tests use, then the npm
# packages. Safe to run again: it installs only what is missing.
#   chromium           browser for the end-to-end tests (Playwright drives /usr/bin/chromium)
#   python3-torch      PyTorch (CPU) for training the models, under /usr/bin/python3
#   python3-numpy, python3-segyio, python3-pil   independent readers the tests compare against (PIL decodes the GIF movies)
#   python3-matplotlib the model card's learning-curve figure (native-models/wavediff_models/plot_curves.py)
#   clang, lld         rebuild the WebAssembly kernel (a committed .wasm is used otherwise)
#   g++, make          native addons (better-sqlite3, the FD solver's N-API kernel)
#   slurmctld, slurmd, slurm-client, munge   a single-node Slurm for the cluster tests (scripts/slurm-local.sh, at the end)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in chromium python3-torch python3-numpy python3-segyio python3-pil python3-matplotlib clang lld g++ make; do
  have_deb "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}"
    echo "Install them with: sudo apt-get install ${missing[*]}"
    echo "(the studio runs without them; training and some tests need them)"
  fi
fi

# onnxruntime-node's install script downloads its CUDA provider on Linux x64 from a feed these machines
# cannot reach; the CPU provider ships inside the package. Its script reads this variable (npm 11 warns
# about, and npm 12 will refuse, the same setting as a key in .npmrc). ONNXRUNTIME_NODE_INSTALL=cuda12
# npm run setup fetches the CUDA provider where the feed is reachable.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

# The FD solver's native kernel (N-API addon); without it the studio uses its WebAssembly kernel.
node scripts/build-native.mjs || echo "The native FD kernel was not built; the portable WebAssembly kernel will be used."

# A real single-node Slurm for the cluster tests (main/core/cluster/*.test.ts) and for trying
# `wavediff cluster submit … --slurm` locally: started (installed first where missing) as root on Debian;
# `bash scripts/slurm-local.sh stop` stops it. Elsewhere the cluster tests skip with a message.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  bash scripts/slurm-local.sh start || echo "The local Slurm did not start; the cluster tests will skip (and fail under CI=true)."
else
  echo "The cluster tests need a local Slurm: run 'sudo bash scripts/slurm-local.sh start'."
fi
