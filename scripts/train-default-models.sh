#!/usr/bin/env bash
# Retrains the shipped default models from scratch (npm run models:train-defaults):
#  1. synthesises training and held-out pairs of the four OpenFWI-style A families with the
#     studio's own solver (wavediff synth, OpenFWI's geometry);
#  2. trains stage 1 and InversionNet (in parallel), then stage 2 on stage 1's latents, with the
#     trainer in native-models/ (CUDA when available, else CPU);
#  3. installs the exported graphs and manifests in native-models/default/<kind>/.
# The model card (native-models/MODEL_CARD.md) is then written by: npm run models:card
# Re-running continues an interrupted run (synthesis and training both resume).
# Sizes and steps are environment variables; the defaults are what the shipped models used.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WAVEDIFF_TRAIN_DIR:-$PWD/.bench/default-models}
PY=${WAVEDIFF_PYTHON:-/usr/bin/python3}
TRAIN_COUNT=${TRAIN_COUNT:-400}        # pairs per family
VAL_COUNT=${VAL_COUNT:-50}             # held-out pairs per family
STAGE1_STEPS=${STAGE1_STEPS:-1000}
INVERSION_STEPS=${INVERSION_STEPS:-2000}
STAGE2_STEPS=${STAGE2_STEPS:-2500}
THREADS=${THREADS:-1}                  # torch threads per trainer (two trainers run at once)
DEVICE=${DEVICE:-auto}
FAMILIES="flatvel-a curvevel-a flatfault-a curvefault-a"
# Seismic normalisation limits spanning the four A families (OPENFWI.md): CurveVel-A's.
LIMITS=-27.11,55.10

mkdir -p "$WORK"
for family in $FAMILIES; do
  node bin/wavediff.mjs synth --family "$family" --count "$TRAIN_COUNT" --seed 11 --samples-per-file "$TRAIN_COUNT" --out "$WORK/data/train/$family"
  node bin/wavediff.mjs synth --family "$family" --count "$VAL_COUNT" --seed 97 --samples-per-file "$VAL_COUNT" --out "$WORK/data/val/$family"
done

"$PY" - "$WORK/data" $FAMILIES <<'PYEOF'
import json, os, sys
root, families = sys.argv[1], sys.argv[2:]
for split in ('train', 'val'):
    pairs = []
    for family in families:
        folder = os.path.join(split, family)
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if name.startswith('data') and name.endswith('.npy'):
                pairs.append({'seismic': os.path.join(folder, name), 'velocity': os.path.join(folder, 'model' + name[4:])})
    with open(os.path.join(root, f'{split}.json'), 'w') as f:
        json.dump({'name': f'OpenFWI-style A families ({split})', 'families': families, 'pairs': pairs}, f, indent=1)
PYEOF

train() {
  local kind=$1 steps=$2; shift 2
  local out="$WORK/$kind" resume=()
  [ -f "$out/checkpoint.pt" ] && resume=(--resume)
  (cd native-models && "$PY" -m wavediff_models.train "$kind" --data "$WORK/data/train.json" --val-data "$WORK/data/val.json" \
    --out "$out" --steps "$steps" --threads "$THREADS" --device "$DEVICE" --seismic-limits="$LIMITS" \
    --log-every 50 --checkpoint-every 250 --preview-every 500 --eval-every 500 --max-val-samples 64 "${resume[@]}" "$@") \
    > "$WORK/$kind.jsonl" 2> "$WORK/$kind.log"
}

train stage1 "$STAGE1_STEPS" --batch-size 16 &
stage1=$!
train inversionnet "$INVERSION_STEPS" --batch-size 16 &
inversion=$!
wait "$stage1"
train stage2 "$STAGE2_STEPS" --batch-size 64 --stage1 "$WORK/stage1"
wait "$inversion"

for kind in stage1 stage2 inversionnet; do
  rm -rf "native-models/default/$kind"
  mkdir -p "native-models/default/$kind"
  cp "$WORK/$kind/model/"*.onnx "$WORK/$kind/model/manifest.json" "native-models/default/$kind/"
done
du -sh native-models/default
echo "Installed the default models in native-models/default/. Next: npm run models:card"
