#!/usr/bin/env bash
# Regenerates docs/results.md, docs/results.csv and docs/plots/ from one
# sweep: the four bundled networks on 2 to 8 arrays of 128x128 cells, plus
# the problem files with heterogeneous arrays and with tiling.
#
# Environment: TIME_LIMIT (seconds per scheduler and problem, default 60),
# ARRAYS (default 2..8), JOBS (default: all logical cores).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
jobs=()
if [[ -n "${JOBS:-}" ]]; then
  jobs=(--jobs "$JOBS")
fi
exec target/release/spikepipe sweep \
  models/mnist-mlp.yaml models/nmnist-cnn.yaml models/dvs-gesture-cnn.yaml models/vgg11-cifar10.yaml \
  problems/mnist-mlp-mixed.yaml problems/vgg11-cifar10-mixed.yaml problems/nmnist-cnn-tiled.yaml \
  --arrays "${ARRAYS:-2..8}" --delays pipedream --time-limit "${TIME_LIMIT:-60}" "${jobs[@]}" \
  --csv docs/results.csv --markdown docs/results.md --plots docs/plots
