#!/usr/bin/env bash
# The training campaign of the shipped default models (npm run models:train-defaults):
#  1. synthesises training and held-out pairs of the four OpenFWI-style A families with the
#     studio's own solver (wavediff synth, OpenFWI's geometry), and the real-model evaluation sets
#     (OpenFWI's FlatVel-A / CurveVel-A velocity models of ../shared/testdata, modelled by our solver;
#     evaluation only, never training);
#  2. prepares them once (normalised, time averaged 1000 -> 250, float16) in a cache outside the work tree;
#  3. trains stage 1 and InversionNet side by side (one thread each), then stage 2 on stage 1's latents;
#  4. installs the exported graphs in native-models/default/<kind>/ (then: npm run models:card).
#
# Resumable over many runs: checkpoints live in native-models/campaign/<kind>/checkpoint.pt (committed for
# stage 1 and InversionNet; stage 2 is retrained from its committed weights.pt on each new stage-1 latent
# space, and re-paired without training with a stage 1 whose decoders alone changed),
# SIGTERM to this script stops every trainer with a checkpoint, and
#   npm run models:train-defaults -- --resume
# continues exactly where it stopped. Synthesis is deterministic (seeds), so a lost cache is remade.
#
# Options: --resume (continue the committed campaign), --no-install (leave native-models/default alone),
#          --only stage1|inversionnet|stage2 (train one network), --data-only (synthesise and prepare only).
# Environment: WAVEDIFF_TRAIN_CACHE (default ~/.cache/wavediff-studio/training: data-<synthesis fingerprint>/ and the
#   trainers' <kind>.jsonl / <kind>.log), WAVEDIFF_PYTHON,
#   STAGE1_STEPS / INVERSION_STEPS / STAGE2_STEPS (totals; raising one on --resume starts a new
#   cosine cycle from the current step, peaking at half the last cycle's peak or at STAGE1_PEAK_LR /
#   INVERSION_PEAK_LR), TRAIN_COUNT_VEL / TRAIN_COUNT_FAULT (pairs per family, whole
#   blocks of 3,000 / 1,500; raising one adds blocks and re-prepares the training set),
#   STAGE1_REFIT_VELOCITY_BASE=N (stage 1: from the current stage 1, a new run that trains only its velocity
#   decoder, N base channels wide, on the fixed latents; STAGE1_STEPS is then that run's total),
#   STAGE1_JOINT=1 (stage 1: from the velocity-decoder refit, a new run that trains all of stage 1 again,
#   encoder and quantiser included, with the refit's decoders; its latent space moves, so stage 2 retrains;
#   STAGE1_STEPS is that run's total; later --resume runs continue it with or without the variable),
#   STAGE1_VELOCITY_WEIGHT (stage 1: weight of the velocity term in a new run, 1 by default),
#   STAGE1_MIRROR=1 / INVERSION_MIRROR=1 (train on mirrored halves of the batches from now on: the trainer's
#   --mirror, kept by the checkpoint), STAGE2_RETRAIN=1 (train stage 2 for STAGE2_STEPS from its weights.pt
#   even where stage 1 kept its latent space: after the training data changed), DEVICE (auto|cpu|cuda),
#   THREADS (torch threads per trainer).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOGS=${WAVEDIFF_TRAIN_CACHE:-$HOME/.cache/wavediff-studio/training}
# Synthesised data is keyed by what the synthesis makes (scripts/synthesis-fingerprint.ts: the first pair
# of each family): changed families or solver start a new folder instead of resuming into a mixed set.
# families.txt there holds each family's own fingerprint, so a family the change left alone is taken
# from an older folder (hard links) instead of synthesised again.
FINGERPRINTS=$(node_modules/.bin/tsx scripts/synthesis-fingerprint.ts --per-family)
CACHE=$LOGS/data-$(head -n 1 <<< "$FINGERPRINTS")
CAMPAIGN=$ROOT/native-models/campaign
PY=${WAVEDIFF_PYTHON:-/usr/bin/python3}
TRAIN_COUNT_VEL=${TRAIN_COUNT_VEL:-6000}     # pairs of flatvel-a and of curvevel-a (blocks of 3,000)
TRAIN_COUNT_FAULT=${TRAIN_COUNT_FAULT:-1500} # pairs of flatfault-a and of curvefault-a (blocks of 1,500)
BLOCKS_PER_RUN=8 # training pairs of a family are blocks of one seed-11 run of 8 blocks (24,000 / 12,000 pairs)
VAL_COUNT=${VAL_COUNT:-50}                   # held-out pairs per family
REAL_COUNT=${REAL_COUNT:-48}                 # real OpenFWI models per family for evaluation
# Totals. The defaults are where the committed checkpoints' learning-rate cycles end: stage 1 at 4,000, a
# joint run of all of stage 1 (velocity weight 2, peak 2.5e-4) from the velocity-decoder refit at 21,900
# (32 base channels, on the latents of the first joint run's 11,000 steps); InversionNet at 39,200
# (mirrored batches since 26,000; the last 4,300 steps on the faster law). Both are finished, so a plain
# --resume has nothing left of them to train. A larger total starts a new cycle from the current step (a
# refit stays a refit and stage 2 is then re-paired; a joint run stays joint and stage 2 retrains). On a
# new stage-1 latent space stage 2 retrains from its averaged weights for STAGE2_STEPS; STAGE2_RETRAIN=1
# retrains it on the same one (the committed weights.pt: 4,000 steps on the joint run's latents,
# warm-started from 10,000 on the refit's, themselves from the 4,000 of the slower law).
STAGE1_STEPS=${STAGE1_STEPS:-4000}
INVERSION_STEPS=${INVERSION_STEPS:-39200}
STAGE2_STEPS=${STAGE2_STEPS:-4000}
THREADS=${THREADS:-1}
DEVICE=${DEVICE:-auto}
SYNTH_THREADS=${SYNTH_THREADS:-2}
FAMILIES="flatvel-a curvevel-a flatfault-a curvefault-a"
# Seismic normalisation limits spanning the four A families (OPENFWI.md): CurveVel-A's.
LIMITS=-27.11,55.10
SEISMIC_SIZE=250,70

RESUME=0 INSTALL=1 ONLY="" DATA_ONLY=0
while [ $# -gt 0 ]; do
  case $1 in
    --resume) RESUME=1 ;;
    --no-install) INSTALL=0 ;;
    --only) ONLY=$2; shift ;;
    --data-only) DATA_ONLY=1 ;;
    *) echo "train-default-models: unknown option $1 (use --resume, --no-install, --only KIND)" >&2; exit 2 ;;
  esac
  shift
done

synth() { # family count seed out [synth options]
  node bin/wavediff.mjs synth --family "$1" --count "$2" --seed "$3" --samples-per-file 500 \
    --threads "$SYNTH_THREADS" --out "$4" "${@:5}" >&2
}

count_for() { case $1 in *vel-a) echo "$TRAIN_COUNT_VEL" ;; *) echo "$TRAIN_COUNT_FAULT" ;; esac; }
block_for() { case $1 in *vel-a) echo 3000 ;; *) echo 1500 ;; esac; }

prepare_split() { # split (train|val) folder...: (re)prepared when its pair list changed
  local split=$1; shift
  local list="$CACHE/raw/$split.json" out="$CACHE/prepared/$split"
  (cd native-models && "$PY" -m wavediff_models.pair_list "$CACHE/raw" "$split" "$@")
  if [ -f "$out/prepared.json" ]; then
    cmp -s "$list" "$out/pairs.json" && return 0
  fi
  rm -rf "$out.new"
  (cd native-models && "$PY" -m wavediff_models.prepared --data "$list" --out "$out.new" \
    --seismic-size "$SEISMIC_SIZE" --seismic-limits="$LIMITS")
  cp "$list" "$out.new/pairs.json"
  rm -rf "$out" && mv "$out.new" "$out"
}

real_eval_set() { # zip family-name
  local zip=$1 name=$2
  local dir="$CACHE/real/$name"
  [ -f "$CACHE/prepared/real-$name/prepared.json" ] && return 0
  mkdir -p "$dir"
  if [ ! -f "$dir/data1.npy" ]; then
    "$PY" - "$zip" "$dir/model1.npy" "$REAL_COUNT" <<'PYEOF'
import io, sys, zipfile
import numpy as np
zip_path, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with zipfile.ZipFile(zip_path) as z:
    name = next(n for n in z.namelist() if n.endswith('vmodel11.npy'))
    models = np.load(io.BytesIO(z.read(name)))
np.save(out, np.ascontiguousarray(models[:count], dtype=np.float32))
PYEOF
    node bin/wavediff.mjs forward --velocity "$dir/model1.npy" --out "$dir/data1.npy" --threads "$SYNTH_THREADS" >&2
  fi
  (cd native-models && "$PY" -m wavediff_models.prepared --data "$dir" --out "$CACHE/prepared/real-$name" \
    --seismic-size "$SEISMIC_SIZE" --seismic-limits="$LIMITS")
}

mkdir -p "$CACHE" "$CAMPAIGN"
tail -n +2 <<< "$FINGERPRINTS" > "$CACHE/families.txt"

reuse_family() { # family: link its synthesised folders from an older cache with the same family fingerprint
  local family=$1 line old folder
  [ -e "$CACHE/raw/train/$family" ] && return 0
  line=$(grep -m 1 "^$family " "$CACHE/families.txt") || return 0
  for old in "$LOGS"/data-*/; do
    old=${old%/}
    [ "$old" = "$CACHE" ] && continue
    grep -qx "$line" "$old/families.txt" 2>/dev/null || continue
    [ -f "$old/raw/val/$family/synthesis.json" ] || continue
    mkdir -p "$CACHE/raw/train" "$CACHE/raw/val"
    for folder in "$old/raw/train/$family" "$old/raw/train/$family".*; do
      if [ -d "$folder" ]; then cp -al "$folder" "$CACHE/raw/train/"; fi
    done
    cp -al "$old/raw/val/$family" "$CACHE/raw/val/"
    echo "train-default-models: $family unchanged (${line#* }): its pairs linked from $old" >&2
    return 0
  done
}
TRAIN_FOLDERS=""
for family in $FAMILIES; do
  block=$(block_for "$family") count=$(count_for "$family")
  if [ $((count % block)) != 0 ] || [ "$count" -lt "$block" ] || [ "$count" -gt $((block * BLOCKS_PER_RUN)) ]; then
    echo "train-default-models: $family: $count training pairs is not 1 to $BLOCKS_PER_RUN blocks of $block" >&2; exit 2
  fi
  reuse_family "$family"
  # Block 0 is its own run (the first campaigns' folder); block b is shard b of the whole run, so every
  # block holds the same seed-11 samples whichever count asked for it.
  synth "$family" "$block" 11 "$CACHE/raw/train/$family"
  TRAIN_FOLDERS+=" $family"
  for ((b = 1; b < count / block; b++)); do
    synth "$family" $((block * BLOCKS_PER_RUN)) 11 "$CACHE/raw/train/$family.$b" --shard "$b/$BLOCKS_PER_RUN"
    TRAIN_FOLDERS+=" $family.$b"
  done
  synth "$family" "$VAL_COUNT" 97 "$CACHE/raw/val/$family"
done
prepare_split train $TRAIN_FOLDERS
prepare_split val $FAMILIES
TESTDATA=$ROOT/../shared/testdata/openfwi
real_eval_set "$TESTDATA/FlatVelA_test_vmodel.zip" flatvel-a
real_eval_set "$TESTDATA/CurveVelA_test_vmodel.zip" curvevel-a
[ "$DATA_ONLY" = 1 ] && { echo "Training data ready in $CACHE/prepared"; exit 0; }

PIDS=()
STOPPING=0
# Each PID is the trainer itself (train() execs it), so SIGTERM reaches PyTorch, which checkpoints and exits 0.
stop_all() { STOPPING=1; for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; }
trap 'echo "train-default-models: stopping the trainers (checkpoints are kept)" >&2; stop_all' TERM INT
wait_for() { # pid: wait through interruptions by the trap
  local rc=0
  while kill -0 "$1" 2>/dev/null; do wait "$1" && rc=0 || rc=$?; done
  return "$rc"
}

train() { # kind steps [extra trainer options]
  local kind=$1 steps=$2; shift 2
  local out="$CAMPAIGN/$kind"
  local resume=()
  mkdir -p "$out"
  if [ -f "$out/checkpoint.pt" ]; then
    if [ "$RESUME" = 1 ]; then resume=(--resume); else
      echo "train-default-models: $out/checkpoint.pt exists; pass --resume to continue it, or remove it to start over" >&2
      return 2
    fi
  fi
  cd native-models
  exec nice -n 10 "$PY" -m wavediff_models.train "$kind" --data "$CACHE/prepared/train" \
    --val-data "$CACHE/prepared/val" --eval-data "real-flatvel-a=$CACHE/prepared/real-flatvel-a" \
    --eval-data "real-curvevel-a=$CACHE/prepared/real-curvevel-a" --out "$out" --steps "$steps" \
    --threads "$THREADS" --device "$DEVICE" --log-every 25 --checkpoint-minutes 10 --checkpoint-every 0 \
    --preview-every 1000 --keep-previews 2 --eval-every 500 --max-val-samples 64 "${resume[@]}" "$@" \
    >> "$LOGS/$kind.jsonl" 2>> "$LOGS/$kind.log"
}

wants() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
status=0
if wants stage1; then train stage1 "$STAGE1_STEPS" --batch-size 16 ${STAGE1_PEAK_LR:+--lr "$STAGE1_PEAK_LR"} ${STAGE1_MIRROR:+--mirror} \
  ${STAGE1_REFIT_VELOCITY_BASE:+--refit-velocity-decoder --velocity-base-channels "$STAGE1_REFIT_VELOCITY_BASE"} \
  ${STAGE1_JOINT:+--joint} ${STAGE1_VELOCITY_WEIGHT:+--velocity-weight "$STAGE1_VELOCITY_WEIGHT"} & PIDS+=($!); fi
if wants inversionnet; then train inversionnet "$INVERSION_STEPS" --batch-size 32 ${INVERSION_PEAK_LR:+--lr "$INVERSION_PEAK_LR"} ${INVERSION_MIRROR:+--mirror} & PIDS+=($!); fi
if wants stage1; then wait_for "${PIDS[0]}" || status=$?; fi
if wants stage2 && [ "$status" = 0 ] && [ "$STOPPING" = 0 ] && [ -f "$CAMPAIGN/stage1/model/manifest.json" ]; then
  # Stage 2 follows stage 1's latent space (encoder, quantiser, seismic preprocessing): on a new latent
  # space each campaign run trains it anew, starting from the last run's averaged weights (committed as
  # stage2/weights.pt); when only stage 1's decoders changed (a velocity-decoder refit) those weights are
  # re-paired with the new stage 1 instead (wavediff_models.pairing).
  # A stage-2 checkpoint older than stage 1's export belongs to the previous stage 1 and is dropped
  # (its finished weights are in weights.pt); a newer one is this run's, interrupted, and resumes.
  if [ -f "$CAMPAIGN/stage2/checkpoint.pt" ] && [ "$CAMPAIGN/stage2/checkpoint.pt" -ot "$CAMPAIGN/stage1/model/manifest.json" ]; then
    rm "$CAMPAIGN/stage2/checkpoint.pt"
  fi
  same_space=1
  if [ -z "${STAGE2_RETRAIN:-}" ] && [ ! -f "$CAMPAIGN/stage2/checkpoint.pt" ] && [ -f "$CAMPAIGN/stage2/weights.pt" ]; then
    (cd native-models && "$PY" -m wavediff_models.pairing "$CAMPAIGN/stage2/weights.pt" "$CAMPAIGN/stage1") \
      >> "$LOGS/stage2.log" 2>&1 && same_space=0 || same_space=$?
    [ "$same_space" = 2 ] && { echo "train-default-models: cannot compare stage 2 with stage 1 (logs: $LOGS/stage2.log)" >&2; exit 2; }
  fi
  if [ "$same_space" = 0 ]; then
    echo "train-default-models: stage 1 kept its latent space; re-pairing stage 2 with it (no training)" >&2
    (cd native-models && "$PY" -m wavediff_models.export stage2 --checkpoint "$CAMPAIGN/stage2/weights.pt" \
      --stage1 "$CAMPAIGN/stage1" --out "$CAMPAIGN/stage2/model") >> "$LOGS/stage2.jsonl" 2>> "$LOGS/stage2.log" || status=$?
  else
    warm=()
    [ ! -f "$CAMPAIGN/stage2/checkpoint.pt" ] && [ -f "$CAMPAIGN/stage2/weights.pt" ] && warm=(--init-weights "$CAMPAIGN/stage2/weights.pt")
    train stage2 "$STAGE2_STEPS" --batch-size 64 --stage1 "$CAMPAIGN/stage1" "${warm[@]}" & PIDS+=($!)
    wait_for "${PIDS[-1]}" || status=$?
    # Only training replaces the committed weights: a re-paired copy differs in the stage 1 it carries
    # (a new velocity decoder, same latent space), which the next re-pair supplies again anyway.
    if [ "$status" = 0 ] && [ "$STOPPING" = 0 ] && [ -f "$CAMPAIGN/stage2/model/weights.pt" ]; then
      cp "$CAMPAIGN/stage2/model/weights.pt" "$CAMPAIGN/stage2/weights.pt"
    fi
  fi
fi
for pid in "${PIDS[@]}"; do wait_for "$pid" || status=$?; done
[ "$STOPPING" = 0 ] || { echo "train-default-models: stopped; continue with --resume" >&2; exit 0; }
[ "$status" = 0 ] || { echo "train-default-models: a trainer stopped with status $status (logs: $LOGS/*.log)" >&2; exit "$status"; }

if [ "$INSTALL" = 1 ]; then
  for kind in stage1 stage2 inversionnet; do
    [ -f "$CAMPAIGN/$kind/model/manifest.json" ] || continue
    rm -rf "native-models/default/$kind"
    mkdir -p "native-models/default/$kind"
    cp "$CAMPAIGN/$kind/model/"*.onnx "$CAMPAIGN/$kind/model/manifest.json" "native-models/default/$kind/"
  done
  du -sh native-models/default
  echo "Installed the default models in native-models/default/. Next: npm run models:card"
fi
