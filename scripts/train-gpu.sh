#!/usr/bin/env bash
# The default models' training campaign, time-boxed for one machine with an NVIDIA GPU (sized for an
# H200 and 16 cores; under 9 minutes in all):
#
#   bash scripts/train-gpu.sh OUT        (or OUT=... bash scripts/train-gpu.sh)
#
#  1. velocity models of the four OpenFWI-style A families with the studio's CLI, without modelling
#     (wavediff synth --velocity-only: ~0.5 ms a model), training (seed 11) and held-out (seed 97)
#     sets as in train-default-models.sh, so the samples are the CPU campaign's; plus the first
#     REAL_COUNT real FlatVel-A / CurveVel-A models of ../shared/testdata for evaluation;
#  2. their seismic with fd_torch on the GPU (python3 -m wavediff_models.forward_torch): held-out and
#     real sets first, then training files interleaved by family until FORWARD_END_S;
#  3. prepared sets (normalised, time averaged 1000 -> 250, float16), as the CPU campaign's;
#  4. stage 1 and InversionNet side by side on the GPU, then stage 2 on this run's stage 1.
# OUT then holds stage1/, inversionnet/, stage2/ (checkpoint.pt, model/*.onnx + manifest.json,
# previews) and logs/ (the trainers' JSON lines and stderr). The data stay in WAVEDIFF_GPU_DATA.
#
# Resume: a native-models/campaign/<kind>/checkpoint.pt is copied into OUT/<kind>/ (unless OUT
# already has one) and continued with --resume, adding *_STEPS steps; its batch size and schedule
# come from the checkpoint. Stage 2 continues a checkpoint only if it was trained on the latent space of
# the stage 1 this run exports (wavediff_models.pairing: a stage 2 of another latent space is refused by
# the app); otherwise it trains on the new latent space starting from the campaign's stage-2 weights
# (stage2/weights.pt). To carry the campaign on, copy OUT/<kind>/checkpoint.pt back into
# native-models/campaign/<kind>/ (stage 2: OUT/stage2/model/weights.pt into campaign/stage2/weights.pt).
#
# Time (seconds from the start; the budget is 540): every phase ends by a deadline, whatever the
# speed, and a trainer stopped by its deadline (SIGTERM: finishes the step, writes its checkpoint)
# is exported from that checkpoint.
#   ~15 s  synthesis of the velocity models (8 node processes; ~12 000 models at ~0.5 ms)
#   ->190  forward modelling: CUDA start ~10 s, then ~40 samples/s (estimate: a step of fd_torch
#          reads and writes ~120 bytes per cell in ~11 elementwise kernels, 310 x 310 x 5 cells x
#          1000 steps = 58 GB a sample, at ~2.5 TB/s of the H200's 4.8 TB/s -> ~25 ms a sample):
#          the 296 held-out and real samples, then ~6 000 training samples (~1 500 a family)
#   ~40 s  prepared sets (~0.09 s a pair on one core here, 16 cores, 4 sets in parallel)
#   ->420  stage 1 (0.63 M parameters, batch 64) and InversionNet (1.53 M, batch 64) side by side:
#          small networks, bound by kernel launches and the batch gather (~12 ms for 64 float16
#          pairs), estimated ~50 ms a step each while sharing the GPU -> 3 000 steps ~150 s, plus
#          ~25 s start-up and ~25 s final evaluation and ONNX export
#   ->515  stage 2 (0.65 M, batch 256 on 16 x 16 latents, ~15 ms a step): 3 000 steps ~45 s, plus
#          encoding the training latents, evaluation and export
# The step counts are estimates (no GPU was at hand when they were set): the deadlines keep the
# script under 9 minutes, and logs/*.jsonl report samples_per_s and eta_s to size the next run.
#
# Environment: WAVEDIFF_PYTHON (python3), WAVEDIFF_GPU_DATA (${TMPDIR:-/tmp}/wavediff-gpu-data),
#   DEVICE (cuda; cpu for a smoke run), STAGE1_STEPS / INVERSION_STEPS / STAGE2_STEPS (steps added),
#   STAGE1_BATCH / INVERSION_BATCH / STAGE2_BATCH (fresh runs only), TRAIN_COUNT_VEL / TRAIN_COUNT_FAULT /
#   VAL_COUNT / REAL_COUNT, FD_BATCH, FORWARD_END_S / PHASE1_END_S / END_S (deadlines), THREADS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${1:-${OUT:-}}
[ -n "$OUT" ] || { echo "train-gpu: give the output folder as \$1 or \$OUT" >&2; exit 2; }
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
DATA=${WAVEDIFF_GPU_DATA:-${TMPDIR:-/tmp}/wavediff-gpu-data}
CAMPAIGN=$ROOT/native-models/campaign
PY=${WAVEDIFF_PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
THREADS=${THREADS:-4}
TRAIN_COUNT_VEL=${TRAIN_COUNT_VEL:-3000}     # synthesised; the forward deadline decides how many are modelled
TRAIN_COUNT_FAULT=${TRAIN_COUNT_FAULT:-1500}
VAL_COUNT=${VAL_COUNT:-50}
REAL_COUNT=${REAL_COUNT:-48}
SAMPLES_PER_FILE=${SAMPLES_PER_FILE:-250}     # the unit of the forward deadline
FD_BATCH=${FD_BATCH:-128}
STAGE1_STEPS=${STAGE1_STEPS:-3000}
INVERSION_STEPS=${INVERSION_STEPS:-3000}
STAGE2_STEPS=${STAGE2_STEPS:-3000}
STAGE1_BATCH=${STAGE1_BATCH:-64}
INVERSION_BATCH=${INVERSION_BATCH:-64}
STAGE2_BATCH=${STAGE2_BATCH:-256}
FORWARD_END_S=${FORWARD_END_S:-190}
PHASE1_END_S=${PHASE1_END_S:-420}
END_S=${END_S:-515}
EXPORT_S=25                                   # an export from a checkpoint: interpreter, torch, ONNX
FAMILIES="flatvel-a curvevel-a flatfault-a curvefault-a"
LIMITS=-27.11,55.10                           # CurveVel-A's, spanning the four A families (OPENFWI.md)
SEISMIC_SIZE=250,70
SECONDS=0

say() { echo "train-gpu [${SECONDS}s]: $*" >&2; }
left() { local s=$(( $1 - SECONDS )); echo $(( s > 1 ? s : 1 )); }  # seconds until deadline $1 (timeout 0 would mean none)
pyrun() { (cd "$ROOT/native-models" && "$PY" "$@"); }

command -v node >/dev/null && [ -d node_modules/tsx ] || { say "needs node and the studio's node_modules (npm ci)"; exit 2; }
if [ "$DEVICE" = cuda ]; then
  "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' ||
    { say "$PY sees no CUDA device; run with DEVICE=cpu for a (slow) smoke run"; exit 2; }
fi
PIDS=()
# Each PID is a subshell whose child is `timeout` (which passes SIGTERM on to the trainer) or a tool.
trap 'say "stopping (trainers write their checkpoints)"; for p in "${PIDS[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; done' TERM INT

# 1. Velocity models (deterministic: sample i depends only on family, seed and i).
count_for() { case $1 in *vel-a) echo "$TRAIN_COUNT_VEL" ;; *) echo "$TRAIN_COUNT_FAULT" ;; esac; }
synth() { # family count seed out
  node bin/wavediff.mjs synth --family "$1" --count "$2" --seed "$3" --samples-per-file "$SAMPLES_PER_FILE" \
    --velocity-only --out "$4" 2>> "$OUT/logs/synth.log"
}
for family in $FAMILIES; do
  synth "$family" "$(count_for "$family")" 11 "$DATA/raw/train/$family" & PIDS+=($!)
  synth "$family" "$VAL_COUNT" 97 "$DATA/raw/val/$family" & PIDS+=($!)
done
for zip_family in FlatVelA:flatvel-a CurveVelA:curvevel-a; do
  dir=$DATA/raw/real/${zip_family#*:}
  mkdir -p "$dir"
  [ -f "$dir/model1.npy" ] || "$PY" - "$ROOT/../shared/testdata/openfwi/${zip_family%:*}_test_vmodel.zip" "$dir/model1.npy" "$REAL_COUNT" <<'PYEOF'
import io, sys, zipfile
import numpy as np
zip_path, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with zipfile.ZipFile(zip_path) as z:
    models = np.load(io.BytesIO(z.read('vmodel11.npy')))
np.save(out, np.ascontiguousarray(models[:count], dtype=np.float32))
PYEOF
done
for pid in "${PIDS[@]}"; do wait "$pid" || { say "velocity synthesis failed (see $OUT/logs/synth.log)"; exit 1; }; done
PIDS=()
say "velocity models ready in $DATA/raw"

# 2. Seismic on the GPU: every model file without its data file, held-out and real sets first, then the
# training files interleaved by family (file k of each family before file k + 1 of any).
pending=()
for split in val real; do
  for f in "$DATA/raw/$split"/*/model*.npy; do [ -f "${f%/model*}/data${f##*/model}" ] || pending+=("$f"); done
done
for k in $(seq 1 $(( (TRAIN_COUNT_VEL + SAMPLES_PER_FILE - 1) / SAMPLES_PER_FILE ))); do
  for family in $FAMILIES; do
    f=$DATA/raw/train/$family/model$k.npy
    [ -f "$f" ] && [ ! -f "$DATA/raw/train/$family/data$k.npy" ] && pending+=("$f")
  done
done
if [ ${#pending[@]} -gt 0 ]; then
  outs=(); for f in "${pending[@]}"; do outs+=("${f%/model*}/data${f##*/model}"); done
  pyrun -m wavediff_models.forward_torch --device "$DEVICE" --batch "$FD_BATCH" --threads "$THREADS" \
    --stop-after-s "$(left "$FORWARD_END_S")" --velocity "${pending[@]}" --out "${outs[@]}" 2>> "$OUT/logs/forward.log"
fi
for f in "$DATA/raw"/{val,real}/*/model*.npy; do
  [ -f "${f%/model*}/data${f##*/model}" ] || { say "held-out/real seismic ${f%/model*} missing: FORWARD_END_S too short"; exit 1; }
done
say "seismic ready ($(ls "$DATA"/raw/train/*/data*.npy 2>/dev/null | wc -l) training files; logs/forward.log has the rate)"

# 3. Prepared sets. The training list holds the pairs whose seismic exists.
pair_list() { # split
  (cd native-models && "$PY" -m wavediff_models.pair_list "$DATA/raw" "$1" $FAMILIES --name "OpenFWI-style A families ($1, GPU run)")
}
prepare() { # source prepared-name
  rm -rf "$DATA/prepared/$2"
  pyrun -m wavediff_models.prepared --data "$1" --out "$DATA/prepared/$2" --seismic-size "$SEISMIC_SIZE" \
    --seismic-limits="$LIMITS" 2>> "$OUT/logs/prepared.log"
}
pair_list train
pair_list val
prepare "$DATA/raw/train.json" train & PIDS+=($!)
prepare "$DATA/raw/val.json" val & PIDS+=($!)
prepare "$DATA/raw/real/flatvel-a" real-flatvel-a & PIDS+=($!)
prepare "$DATA/raw/real/curvevel-a" real-curvevel-a & PIDS+=($!)
for pid in "${PIDS[@]}"; do wait "$pid" || { say "preparing failed (see $OUT/logs/prepared.log)"; exit 1; }; done
PIDS=()
say "prepared sets ready"

# 4. Training.
checkpoint_step() { pyrun -c 'import sys; from wavediff_models.runtime import torch_load; print(torch_load(sys.argv[1])["step"])' "$1"; }
train() { # kind steps-added deadline [trainer options]
  local kind=$1 add=$2 deadline=$3; shift 3
  local out=$OUT/$kind start=0
  mkdir -p "$out"
  [ -f "$out/checkpoint.pt" ] && start=$(checkpoint_step "$out/checkpoint.pt")
  say "$kind: from step $start to $((start + add)), deadline ${deadline}s"
  (cd native-models && exec timeout --preserve-status --signal=TERM --kill-after=60 "$(left "$deadline")" \
    "$PY" -m wavediff_models.train "$kind" --data "$DATA/prepared/train" --val-data "$DATA/prepared/val" \
    --eval-data "real-flatvel-a=$DATA/prepared/real-flatvel-a" --eval-data "real-curvevel-a=$DATA/prepared/real-curvevel-a" \
    --out "$out" --steps "$((start + add))" --resume --device "$DEVICE" --threads "$THREADS" --log-every 50 \
    --checkpoint-minutes 2 --checkpoint-every 0 --preview-every 1000 --keep-previews 1 --eval-every 1000 \
    --max-val-samples 64 "$@") >> "$OUT/logs/$kind.jsonl" 2>> "$OUT/logs/$kind.log"
}
finish() { # kind: export a run its deadline stopped
  local kind=$1
  if tail -n 1 "$OUT/logs/$kind.jsonl" | grep -q '"type":"stopped"'; then
    say "$kind: stopped by its deadline; exporting its checkpoint"
    pyrun -m wavediff_models.export "$kind" --checkpoint "$OUT/$kind" --out "$OUT/$kind/model" \
      >> "$OUT/logs/$kind.jsonl" 2>> "$OUT/logs/$kind.log"
  fi
  [ -f "$OUT/$kind/model/manifest.json" ] || { say "$kind: no exported model (see $OUT/logs/$kind.log)"; return 1; }
}
for kind in stage1 inversionnet; do
  if [ -f "$CAMPAIGN/$kind/checkpoint.pt" ] && [ ! -f "$OUT/$kind/checkpoint.pt" ]; then
    mkdir -p "$OUT/$kind" && cp "$CAMPAIGN/$kind/checkpoint.pt" "$OUT/$kind/" && say "$kind: continuing the campaign's checkpoint"
  fi
done
status=0
train stage1 "$STAGE1_STEPS" $((PHASE1_END_S - EXPORT_S)) --batch-size "$STAGE1_BATCH" & PIDS+=($!)
train inversionnet "$INVERSION_STEPS" $((PHASE1_END_S - EXPORT_S)) --batch-size "$INVERSION_BATCH" & PIDS+=($!)
for pid in "${PIDS[@]}"; do wait "$pid" || status=$?; done
PIDS=()
finish stage1 || status=1
finish inversionnet || status=1
[ "$status" = 0 ] || { say "a trainer failed (status $status; logs in $OUT/logs)"; exit 1; }

warm=()
if [ ! -f "$OUT/stage2/checkpoint.pt" ]; then
  if [ -f "$CAMPAIGN/stage2/checkpoint.pt" ] && pyrun -m wavediff_models.pairing "$CAMPAIGN/stage2/checkpoint.pt" "$OUT/stage1" \
      >> "$OUT/logs/stage2.log" 2>&1; then
    mkdir -p "$OUT/stage2" && cp "$CAMPAIGN/stage2/checkpoint.pt" "$OUT/stage2/" && say "stage2: continuing the campaign's checkpoint"
  elif [ -f "$CAMPAIGN/stage2/weights.pt" ]; then
    warm=(--init-weights "$CAMPAIGN/stage2/weights.pt")
    say "stage2: training on this stage 1's latent space, starting from the campaign's stage-2 weights"
  fi
fi
train stage2 "$STAGE2_STEPS" $((END_S - EXPORT_S)) --batch-size "$STAGE2_BATCH" --stage1 "$OUT/stage1" "${warm[@]}" & PIDS+=($!)
wait "${PIDS[0]}" || { say "stage2 failed (logs in $OUT/logs)"; exit 1; }
PIDS=()
finish stage2
say "done: checkpoints and ONNX models in $OUT/{stage1,inversionnet,stage2}; logs in $OUT/logs"
