//! Command-line behaviour: exit statuses and messages users see.

use assert_cmd::Command;
use predicates::prelude::*;

fn spikepipe() -> Command {
    Command::cargo_bin("spikepipe").unwrap()
}

/// Runs the command, expects exit status 2 and returns the single line it
/// printed on stderr.
fn bad_input(args: &[&str]) -> String {
    let output = spikepipe().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "expected one line, got: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn missing_file_exits_2() {
    let message = bad_input(&["solve", "tests/inputs/no-such-file.yaml"]);
    assert!(message.contains("no-such-file.yaml: file not found"), "{message}");
}

#[test]
fn yaml_syntax_error_names_line_and_column() {
    let message = bad_input(&["solve", "tests/inputs/syntax-error.yaml", "--scheduler", "list"]);
    assert!(message.contains("syntax-error.yaml:5:"), "{message}");
}

#[test]
fn unknown_field_is_named() {
    let message = bad_input(&["solve", "tests/inputs/unknown-field.yaml", "--scheduler", "list"]);
    assert!(message.contains("unknown field `duraton`"), "{message}");
    assert!(message.contains("unknown-field.yaml:4:"), "{message}");
}

#[test]
fn zero_distance_cycle_names_its_tasks() {
    let message = bad_input(&["solve", "tests/inputs/zero-distance-cycle.yaml", "--scheduler", "list"]);
    assert!(message.contains("a → b → c → a"), "{message}");
}

#[test]
fn stg_without_processors_exits_2() {
    let message = bad_input(&["solve", "problems/rand0000.stg"]);
    assert!(message.contains("--processors"), "{message}");
}

#[test]
fn standard_on_task_graph_exits_2() {
    let message = bad_input(&["solve", "problems/tg-two-bins.yaml", "--scheduler", "standard"]);
    assert!(message.contains("task-graph"), "{message}");
}

#[test]
fn unknown_flag_is_one_line() {
    let message = bad_input(&["solve", "problems/tg-two-bins.yaml", "--schedular", "list"]);
    assert!(message.contains("--schedular"), "{message}");
}

#[test]
fn every_bundled_problem_solves_with_list() {
    for entry in std::fs::read_dir("problems").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            spikepipe().args(["solve", path.to_str().unwrap(), "--scheduler", "list", "-q"]).assert().success();
        }
    }
}

#[test]
fn bare_stg_file_solves_with_processors() {
    spikepipe()
        .args(["solve", "problems/rand0000.stg", "--processors", "3", "--scheduler", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("rand0000"));
}

#[test]
fn tasks_json_lists_gemm_shapes() {
    let output = spikepipe().args(["tasks", "problems/mnist-mlp-2.yaml", "--json"]).output().unwrap();
    assert!(output.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &rows[0];
    assert_eq!(first["task"], "F1");
    assert_eq!(first["layer"], 1);
    assert_eq!(first["kind"], "F");
    // F1 of the 784-500-500-10 MLP: M = batch·timesteps = 64·25.
    assert_eq!(first["m"], 1600);
    assert_eq!(first["k"], 784);
    assert_eq!(first["n"], 500);
    let update = rows.as_array().unwrap().iter().find(|r| r["task"] == "U1").unwrap();
    assert!(update["m"].is_null());
}

#[test]
fn sweep_writes_csv_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out/results.csv");
    let report = dir.path().join("out/results.md");
    let output = spikepipe()
        .args(["sweep", "models/mnist-mlp.yaml", "problems/mnist-mlp-mixed.yaml", "--arrays", "2..3"])
        .args(["--tiling", "none,time:2", "--schedulers", "list", "--jobs", "2", "-q"])
        .args(["--csv", csv.to_str().unwrap(), "--markdown", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let table = std::fs::read_to_string(&csv).unwrap();
    // Header, 2 array counts x 2 tilings, and the mixed problem file.
    assert_eq!(table.lines().count(), 1 + 4 + 1, "{table}");
    assert!(table.contains("mnist-mlp-3-time2"), "{table}");
    assert!(table.contains("2x128x128+2x64x64"), "{table}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("### mnist-mlp"), "{text}");
    assert!(text.contains("## Comparison with the SpikePipe paper"), "{text}");
    assert!(text.contains("[results.csv](results.csv)"), "{text}");
}

#[test]
fn sweep_bad_array_range_exits_2() {
    let message = bad_input(&["sweep", "models/mnist-mlp.yaml", "--arrays", "8..2"]);
    assert!(message.contains("--arrays") && message.contains("empty"), "{message}");
}

#[test]
fn sweep_tiling_above_timesteps_names_model() {
    let message = bad_input(&["sweep", "models/mnist-mlp.yaml", "--tiling", "time:26", "--schedulers", "list"]);
    assert!(message.contains("mnist-mlp.yaml") && message.contains("25 timesteps"), "{message}");
}

#[test]
fn sweep_unknown_scheduler_exits_2() {
    let message = bad_input(&["sweep", "models/mnist-mlp.yaml", "--schedulers", "list,greedy"]);
    assert!(message.contains("unknown scheduler `greedy`"), "{message}");
}

#[test]
fn sweep_bad_hardware_flags_exit_2() {
    let message = bad_input(&["sweep", "models/mnist-mlp.yaml", "--bandwidth", "0"]);
    assert!(message.contains("--bandwidth 0 is invalid"), "{message}");
    let message = bad_input(&["sweep", "models/mnist-mlp.yaml", "--rows", "0"]);
    assert!(message.contains("--rows 0 is invalid"), "{message}");
    let message = bad_input(&["sweep", "models/mnist-mlp.yaml", "--dataflow", "row-stationary"]);
    assert!(message.contains("unknown dataflow `row-stationary`"), "{message}");
}

#[test]
fn sweep_makespan_objective_applies() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("makespan.csv");
    spikepipe()
        .args(["sweep", "models/mnist-mlp.yaml", "--arrays", "2", "--iterations", "3", "--free-link"])
        .args(["--schedulers", "list", "-q", "--csv", csv.to_str().unwrap()])
        .assert()
        .success();
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(table.lines().nth(1).unwrap().contains(",list,makespan,"), "{table}");
}

#[test]
fn usage_errors_keep_their_details() {
    let message = bad_input(&["solve"]);
    assert!(message.contains("<FILE>"), "{message}");
    let message = bad_input(&["solve", "problems/tg-two-bins.yaml", "--scheduler", "greedy"]);
    assert!(message.contains("possible values: ilp, list, standard, all"), "{message}");
    let message = bad_input(&["solve", "problems/tg-two-bins.yaml", "--time-limit", "-1"]);
    assert!(message.contains("--time-limit -1"), "{message}");
}
