"""Summarise `spikepipe train --json` reports as the markdown table of
docs/accuracy.md: final test accuracy per network and delay policy (mean and
range over seeds), the mean test accuracy after the first epoch, and the
wall time per run.

Usage: python3 scripts/accuracy_table.py docs/accuracy/*.json
"""

import json
import sys
from collections import defaultdict


def main(paths):
    results = defaultdict(list)
    order = []
    for path in paths:
        with open(path) as source:
            text = source.read()
        if not text.strip():
            print(f"skipping {path}: empty (run unfinished?)", file=sys.stderr)
            continue
        report = json.loads(text)
        for run in report["runs"]:
            key = (report["model"], report["dataset"], run["policy"], tuple(run["delays"]))
            if key not in results:
                order.append(key)
            first = run["epochs"][0]["test_accuracy"]
            results[key].append((report["seed"], run["test_accuracy"], run["seconds"], len(run["epochs"]), first))
    print("| network | dataset | policy | delays | epochs | seeds | test accuracy, mean (min-max) | after epoch 1, mean | seconds per run |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key in order:
        model, dataset, policy, delays = key
        runs = sorted(results[key])
        accuracies = [100 * run[1] for run in runs]
        mean = sum(accuracies) / len(accuracies)
        first = sum(100 * run[4] for run in runs) / len(runs)
        seconds = sum(run[2] for run in runs) / len(runs)
        seeds = ",".join(str(run[0]) for run in runs)
        print(
            f"| {model} | {dataset} | {policy} | {list(delays)} | {runs[0][3]} | {seeds} | "
            f"{mean:.2f}% ({min(accuracies):.2f}-{max(accuracies):.2f}) | {first:.2f}% | {seconds:.0f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
