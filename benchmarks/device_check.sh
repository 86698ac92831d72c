#!/usr/bin/env bash
# The FMMI engine's speed and accuracy tables on a CUDA device, in one run of
# under 8 minutes on a current GPU (an H200 was the target):
#
#   bash benchmarks/device_check.sh            # on the GPU machine, from the repository root
#   bash benchmarks/device_check.sh --cpu      # the same scripts, shrunk, on the CPU (checks that it runs)
#
# 1. speed: a 100-region subject, T = 1,200, at the default pipeline's settings:
#    train once on 100 candidate sets and answer them; train on random
#    conditioning sets and answer 200 new sets (sets/s, CPU-s per set);
# 2. accuracy at T = 10,000 (one seed per system, FMMI only), then at
#    T = 1,200 (two seeds, with the ML, copula and KSG baselines and the
#    coverage of +-1.96 SE);
# 3. estimate_mi's coverage (T = 1,200, 4 seeds per pair).
# Each step prints its table rows as it goes and is capped by `timeout`
# (110 + 140 + 150 + 70 s on the GPU, so the whole run stays under 8 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export MPLCONFIGDIR="${MPLCONFIGDIR:-$(mktemp -d)}"

if [[ "${1:-}" == "--cpu" || "${1:-}" == "--quick" ]]; then
    device=cpu
    speed=(--regions 20 --candidates 10 --queries 20 --skip-end-to-end --set steps=100 eval_every=50)
    large=(--samples 2000 --seeds 1 --no-baselines --only multiplicative --set steps=100 eval_every=50)
    small=(--samples 1200 --seeds 1 --only multiplicative --set steps=100 eval_every=50)
    mi=(--mi --samples 1200 --seeds 1 --set steps=100 eval_every=50)
    limits=(600 600 600 600)
else
    device=cuda
    speed=()
    large=(--samples 10000 --seeds 1 --no-baselines)
    small=(--samples 1200 --seeds 2)
    mi=(--mi --samples 1200 --seeds 4)
    limits=(110 140 150 70)
fi

python - <<'EOF'
import torch
print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}",
      f"({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "")
EOF
echo "== speed"
timeout "${limits[0]}" python benchmarks/engine_speed.py --device "$device" "${speed[@]}" || echo "speed: stopped (exit $?)"
echo "== accuracy, large T"
timeout "${limits[1]}" python benchmarks/engine_accuracy.py --device "$device" "${large[@]}" || echo "accuracy: stopped (exit $?)"
echo "== accuracy, T = 1,200, with baselines and coverage"
timeout "${limits[2]}" python benchmarks/engine_accuracy.py --device "$device" "${small[@]}" || echo "accuracy: stopped (exit $?)"
echo "== estimate_mi coverage"
timeout "${limits[3]}" python benchmarks/engine_accuracy.py --device "$device" "${mi[@]}" || echo "mi: stopped (exit $?)"
