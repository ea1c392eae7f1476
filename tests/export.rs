//! CLI tests of `spikepipe export`: model files, the problem JSON, and the
//! errors for bad output paths.

use assert_cmd::Command;
use predicates::str::contains;

fn spikepipe() -> Command {
    Command::cargo_bin("spikepipe").unwrap()
}

#[test]
fn export_writes_named_lp_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.lp");
    spikepipe().args(["export", "problems/mnist-mlp-4.yaml", "-o"]).arg(&path).assert().success();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("x_F2_a0"), "assignment columns carry task names");
    assert!(text.contains("r_U3"), "residue columns carry task names");
    // Only the model remains: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn export_writes_makespan_mps_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.mps");
    spikepipe().args(["export", "problems/tg-two-bins.yaml", "--horizon", "7", "-o"]).arg(&path).assert().success();
    assert!(std::fs::read_to_string(&path).unwrap().contains("makespan"));
}

#[test]
fn export_writes_problem_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("problem.json");
    spikepipe().args(["export", "problems/tg-fork-join-comm.yaml", "-o"]).arg(&path).assert().success();
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["objective"], "makespan");
    assert_eq!(json["arrays"], 2);
    assert!(json["edges"].as_array().unwrap().iter().all(|e| e["comm"].is_u64()));
}

#[test]
fn export_rejects_unknown_extension() {
    spikepipe()
        .args(["export", "problems/tg-two-bins.yaml", "-o", "model.txt"])
        .assert()
        .code(2)
        .stderr(contains("give a file ending in .lp, .mps or .json"));
}

#[test]
fn export_rejects_horizon_below_bound() {
    spikepipe()
        .args(["export", "problems/tg-two-bins.yaml", "--horizon", "2", "-o", "model.lp"])
        .assert()
        .code(2)
        .stderr(contains("below the lower bound 6"));
}
