"""Summarise `spikepipe train --json` reports as the markdown table of
docs/accuracy.md: final test accuracy per network and delay policy, mean and
range over seeds, and the training time per run.

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
            report = json.load(source)
        for run in report["runs"]:
            key = (report["model"], report["dataset"], run["policy"], tuple(run["delays"]))
            if key not in results:
                order.append(key)
            results[key].append((report["seed"], run["test_accuracy"], run["seconds"], len(run["epochs"])))
    print("| network | dataset | policy | delays | epochs | seeds | test accuracy, mean (min-max) | seconds per run |")
    print("|---|---|---|---|---|---|---|---|")
    for key in order:
        model, dataset, policy, delays = key
        runs = sorted(results[key])
        accuracies = [100 * a for _, a, _, _ in runs]
        mean = sum(accuracies) / len(accuracies)
        seconds = sum(s for _, _, s, _ in runs) / len(runs)
        seeds = ",".join(str(seed) for seed, _, _, _ in runs)
        print(
            f"| {model} | {dataset} | {policy} | {list(delays)} | {runs[0][3]} | {seeds} | "
            f"{mean:.2f}% ({min(accuracies):.2f}-{max(accuracies):.2f}) | {seconds:.0f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
