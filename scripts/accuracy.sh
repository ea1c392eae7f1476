#!/bin/sh
# Regenerates the accuracy measurements of docs/accuracy.md: every network
# trained with synchronous, pipedream and doubled pipedream delays, for
# several seeds, one JSON report per network and seed in docs/accuracy/,
# then one lower learning rate check in docs/accuracy-low-lr/.
# Usage: scripts/accuracy.sh [SPIKEPIPE]   (default target/release/spikepipe)
# Runs one training at a time under nice; the MNIST networks take the most.
set -eu
bin=${1:-target/release/spikepipe}
out=docs/accuracy
mkdir -p "$out"
delays="synchronous;pipedream;6,4,2"

run() {
    name=$1; shift
    for seed in 1 2 3; do
        start=$(date +%s)
        nice -n 10 "$bin" train "$@" --delays "$delays" --seed "$seed" --json > "$out/$name-seed$seed.json"
        echo "$name seed $seed: $(( $(date +%s) - start )) s"
    done
}

run digits-mlp models/digits-mlp.yaml --dataset digits --epochs 20 --learning-rate 0.003
run mnist-mlp models/mnist-mlp.yaml --dataset mnist --epochs 3 --learning-rate 0.003
run mnist-cnn models/mnist-cnn.yaml --dataset mnist --epochs 3 --learning-rate 0.01
python3 scripts/accuracy_table.py "$out"/*.json

# The MNIST MLP with doubled pipedream delays at a third of the learning rate.
mkdir -p docs/accuracy-low-lr
nice -n 10 "$bin" train models/mnist-mlp.yaml --dataset mnist --epochs 3 --learning-rate 0.001 \
    --delays "synchronous;6,4,2" --seed 2 --json > docs/accuracy-low-lr/mnist-mlp-seed2.json
python3 scripts/accuracy_table.py docs/accuracy-low-lr/*.json
