//! The same input gives the same schedule and the same JSON on every run
//! (timings aside), and failed output never passes for success.

use assert_cmd::Command;
use serde_json::Value;

/// `solve --json` output with the wall-clock fields removed.
fn solve_json(args: &[&str]) -> Value {
    let output = Command::cargo_bin("spikepipe").unwrap().args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let mut records: Value = serde_json::from_slice(&output.stdout).expect("solve --json prints JSON");
    let list = records.as_array_mut().expect("a JSON array of results");
    assert!(!list.is_empty(), "{args:?}: no result records");
    for record in list {
        record.as_object_mut().expect("each result is an object").remove("seconds");
    }
    records
}

#[test]
fn list_schedule_json_is_repeatable() {
    for problem in ["problems/mnist-mlp-mixed.yaml", "problems/tg-fork-join-comm.yaml", "problems/stg-rand0000-4.yaml"] {
        let args = ["solve", problem, "--scheduler", "list", "--json", "-q"];
        let first = solve_json(&args);
        let second = solve_json(&args);
        assert_eq!(first, second, "{problem}: two runs differ");
    }
}

#[test]
fn tasks_json_is_repeatable() {
    let run = || Command::cargo_bin("spikepipe").unwrap().args(["tasks", "problems/nmnist-cnn-4.yaml", "--json"]).output().unwrap();
    let (first, second) = (run(), run());
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
}

/// A full disk must give an error and exit status 2, not a panic or a
/// success with missing output.
#[cfg(target_os = "linux")]
#[test]
fn full_output_device_is_an_error() {
    let file = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("spikepipe"));
    command.args(["solve", "problems/tg-two-bins.yaml", "--scheduler", "list"]).stdout(file);
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("standard output: cannot write the results"), "{stderr}");
}
