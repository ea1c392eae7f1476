#!/usr/bin/env python3
"""Print the message of every bad-input case of tests/bad_inputs.rs as
Markdown tables, one per comment group, for docs/reliability.md.

Run from the repository root after `cargo build --release`.
"""
import re
import subprocess

BINARY = "./target/release/spikepipe"


def cases():
    """Yield ("group", title) and ("case", file) items in table order."""
    lines = open("tests/bad_inputs.rs").read().split("\n")
    start = lines.index("const SOLVE_CASES: &[(&str, &[&str])] = &[")
    title = None
    for line in lines[start + 1:]:
        if line.startswith("];"):
            break
        comment = re.match(r"\s*// (.*)", line)
        if comment:
            title = comment.group(1) if title is None else f"{title} {comment.group(1)}"
            continue
        if title is not None:
            yield "group", title
            title = None
        case = re.match(r'\s*\("([^"]+)"', line)
        if case:
            yield "case", case.group(1)


def message(file):
    """Run `solve` on one bad file and return its exit status and stderr."""
    args = [BINARY, "solve", f"tests/inputs/bad/{file}", "--scheduler", "list"]
    if file.endswith(".stg"):
        args += ["--processors", "2"]
    result = subprocess.run(args, capture_output=True, text=True)
    return result.returncode, result.stderr.strip()


def main():
    for kind, value in cases():
        if kind == "group":
            print(f"\n{value}\n\n| file | exit | message |\n|---|---|---|")
        else:
            status, text = message(value)
            text = text.replace("|", "\\|")
            print(f"| `{value}` | {status} | `` {text} `` |")


if __name__ == "__main__":
    main()
