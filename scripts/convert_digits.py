"""Convert scikit-learn's 8x8 digits into data/digits.bin.gz (run once).

Usage:
    pip download --no-deps scikit-learn==1.9.1 -d wheel/
    python3 scripts/convert_digits.py wheel/scikit_learn-1.9.1-*.whl data/digits.bin.gz

The wheel holds sklearn/datasets/data/digits.csv.gz: 1797 rows of 64 pixel
values (0-16) followed by the label. The first 1437 rows (80%) form the
training set and the last 360 the test set, in file order.
"""

import csv
import gzip
import io
import sys
import zipfile

from dataset_format import write_dataset

TRAIN = 1437


def main(wheel, output):
    with zipfile.ZipFile(wheel) as archive:
        compressed = archive.read("sklearn/datasets/data/digits.csv.gz")
    text = gzip.decompress(compressed).decode("ascii")
    records = []
    for row in csv.reader(io.StringIO(text)):
        values = [int(float(v)) for v in row]
        records.append((values[64], values[:64]))
    if len(records) != 1797:
        raise SystemExit(f"expected 1797 digits, found {len(records)}")
    write_dataset(output, (1, 8, 8), 16, records[:TRAIN], records[TRAIN:])
    print(f"{output}: {TRAIN} train, {len(records) - TRAIN} test")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
