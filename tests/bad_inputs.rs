//! Every class of bad input, one small file each under tests/inputs/bad/:
//! the command exits with status 2 and prints one line that names the file,
//! the position where the parser reports one, the value and the fix.

use assert_cmd::Command;

const BAD: &str = "tests/inputs/bad";

/// Runs spikepipe with `args`, expects exit status 2 and a single line on
/// stderr without a panic, and returns that line.
fn rejected(args: &[&str]) -> String {
    let output = Command::cargo_bin("spikepipe").unwrap().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: expected exit status 2, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: expected one line, got: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}: a rejected input printed a result");
    stderr
}

/// File (under tests/inputs/bad/) and the fragments its message contains.
/// A fragment `FILE:L:C:` pins the position.
const SOLVE_CASES: &[(&str, &[&str])] = &[
    // Malformed YAML.
    ("syntax.yaml", &["syntax.yaml:5:5:", "did not find expected ',' or '}'", "fix the YAML syntax"]),
    ("tab-indent.yaml", &["tab-indent.yaml:4:1:", "cannot start any token"]),
    ("not-mapping.yaml", &["not-mapping.yaml", "YAML mapping"]),
    ("not-utf8.yaml", &["not-utf8.yaml", "not UTF-8", "offset 9"]),
    ("deep-nesting.yaml", &["deep-nesting.yaml:3:9:", "tasks[0]: invalid type: sequence, expected a task such as {id: a, duration: 3}"]),
    // Anchors that would expand to 9^10 nodes: the parser rejects the first
    // unknown key without expanding them (see the unit test of the
    // repetition limit in src/problem/load.rs for a parse that expands).
    ("billion-laughs.yaml", &["billion-laughs.yaml:3:1:", "unknown field `a0`"]),
    // Empty or comment-only files.
    ("empty.yaml", &["empty.yaml", "empty or only comments"]),
    ("comments-only.yaml", &["comments-only.yaml", "empty or only comments"]),
    ("empty.stg", &["empty.stg", "the task count is missing"]),
    // Wrong types.
    ("count-string.yaml", &["count-string.yaml:3:17:", "arrays.count", "\"two\" is not a number", "an array count from 1 to 1024"]),
    ("duration-string.yaml", &["duration-string.yaml:4:23:", "tasks[0].duration", "write the number without quotes"]),
    ("duration-fraction.yaml", &["duration-fraction.yaml:4:23:", "tasks[0].duration: 2.5 is not a whole number", "a duration in cycles from 0 to 1099511627776"]),
    ("delay-fraction.yaml", &["delay-fraction.yaml:4:17:", "gradient_delay: 1.5 is not a whole number", "gradient delay"]),
    // Unknown keys at every level: the valid ones are listed and the
    // closest is named.
    ("taskgraph-unknown-key.yaml", &["taskgraph-unknown-key.yaml:2:1:", "unknown field `procesors`", "did you mean `processors`?"]),
    ("problem-unknown-key.yaml", &["problem-unknown-key.yaml:4:1:", "unknown field `gradient_dealy`", "`update_ops_per_weight`", "did you mean `gradient_delay`?"]),
    ("task-unknown-key.yaml", &["task-unknown-key.yaml:4:13:", "tasks[0]: unknown field `duraton`", "did you mean `duration`?"]),
    ("edge-unknown-key.yaml", &["edge-unknown-key.yaml:6:22:", "edges[0]: unknown field `distnace`", "did you mean `distance`?"]),
    ("array-unknown-key.yaml", &["array-unknown-key.yaml:3:29:", "arrays: unknown field `columns`", "`vector_lanes`"]),
    ("arrays-list-unknown-key.yaml", &["arrays-list-unknown-key.yaml:5:63:", "arrays[1]: unknown field `lanes`", "`vector_lanes`"]),
    ("link-unknown-key.yaml", &["link-unknown-key.yaml:4:8:", "link: unknown field `latency`", "did you mean `latency_cycles`?"]),
    ("model-unknown-key.yaml", &["model-unknown-key.yaml:5:3:", "network: unknown field `timestep`", "did you mean `timesteps`?"]),
    ("layer-unknown-key.yaml", &["layer-unknown-key.yaml:8:28:", "network.layers[0]: unknown field `kernal`", "did you mean `kernel`?"]),
    ("neuron-unknown-key.yaml", &["neuron-unknown-key.yaml:7:22:", "network.neuron: unknown field `tau`", "`tau_m`"]),
    ("no-kind.yaml", &["no-kind.yaml", "neither `network` nor `tasks` nor `stg`", "did you mean `tasks`?"]),
    // Out-of-range values.
    ("processors-zero.yaml", &["processors-zero.yaml:2:13:", "processors: 0 is out of range", "from 1 to 1024"]),
    ("processors-negative.yaml", &["processors-negative.yaml:2:13:", "-2 is negative"]),
    ("processors-missing.yaml", &["processors-missing.yaml", "missing `processors`"]),
    ("arrays-too-many.yaml", &["arrays-too-many.yaml:3:17:", "arrays.count: 5000 is out of range", "from 1 to 1024"]),
    ("array-count-zero.yaml", &["array-count-zero.yaml:3:17:", "arrays.count: 0 is out of range"]),
    ("array-rows-zero.yaml", &["array-rows-zero.yaml:3:26:", "arrays.rows: 0 is out of range"]),
    ("link-zero-bandwidth.yaml", &["link-zero-bandwidth.yaml:3:44:", "link.bytes_per_cycle: 0 is out of range", "bandwidth in bytes per cycle"]),
    ("timesteps-zero.yaml", &["timesteps-zero.yaml:3:12:", "timesteps: 0 is out of range"]),
    ("batch-negative.yaml", &["batch-negative.yaml:3:8:", "batch: -64 is negative"]),
    ("iterations-zero.yaml", &["iterations-zero.yaml:4:13:", "iterations: 0 is out of range", "from 1 to 10000"]),
    ("iterations-too-many.yaml", &["iterations-too-many.yaml:4:13:", "iterations: 60000 is out of range"]),
    ("iterations-with-period.yaml", &["iterations-with-period.yaml", "`iterations` applies only to objective makespan"]),
    ("objective-unknown.yaml", &["objective-unknown.yaml", "unknown objective `throughput`", "use period or makespan"]),
    ("duration-negative.yaml", &["duration-negative.yaml:4:23:", "tasks[0].duration: -3 is negative"]),
    ("value-bits-zero.yaml", &["value-bits-zero.yaml:4:13:", "value_bits: 0 is out of range", "from 1 to 64"]),
    ("neuron-negative.yaml", &["neuron-negative.yaml", "neuron `tau_m` is -4", "positive number"]),
    ("dataflow-unknown.yaml", &["dataflow-unknown.yaml", "unknown dataflow `row-stationary`", "weight-stationary"]),
    // Values beyond the supported range, and products that would overflow.
    ("duration-huge.yaml", &["duration-huge.yaml:4:23:", "1099511627777 is out of range"]),
    ("duration-beyond-u64.yaml", &["duration-beyond-u64.yaml:4:23:", "99999999999999999999999 is too large"]),
    ("bytes-huge.yaml", &["bytes-huge.yaml:7:29:", "edges[0].bytes: 18446744073709551615 is out of range"]),
    ("distance-huge.yaml", &["distance-huge.yaml:6:32:", "edges[0].distance: 5000000 is out of range"]),
    ("distance-negative.yaml", &["distance-negative.yaml:6:32:", "-1 is negative"]),
    ("input-too-large.yaml", &["input-too-large.yaml", "elements (channels x height x width)", "supported maximum 16777216"]),
    ("copies-too-many.yaml", &["copies-too-many.yaml", "20 tasks x 6000 iterations exceed the supported maximum of 100000 task copies"]),
    ("override-too-large.yaml", &["nmnist-cnn.yaml", "layer 1 (conv) is too large to cost", "as set in tests/inputs/bad/override-too-large.yaml"]),
    ("layer-output-too-large.yaml", &["layer-output-too-large.yaml", "layer 1 (conv) outputs 4722366482869645213696 elements"]),
    ("update-ops-overflow.yaml", &["update-ops-overflow.yaml", "exceed 2^60", "lower `update_ops_per_weight`"]),
    // References to unknown tasks, duplicate ids, cycles of distance 0.
    ("unknown-task.yaml", &["unknown-task.yaml", "`after` of task `b` names unknown task `c`"]),
    ("unknown-edge-task.yaml", &["unknown-edge-task.yaml", "edge `to` names unknown task `z`"]),
    ("duplicate-id.yaml", &["duplicate-id.yaml", "task id `a` appears twice"]),
    ("no-tasks.yaml", &["no-tasks.yaml", "no tasks"]),
    ("zero-distance-cycle.yaml", &["zero-distance-cycle.yaml", "a → b → a", "distance of at least 1"]),
    ("self-loop.yaml", &["self-loop.yaml", "a → a"]),
    // Gradient delays.
    ("delay-zero.yaml", &["delay-zero.yaml:4:17:", "gradient_delay: 0 is out of range", "1 is synchronous training"]),
    ("delay-list-zero.yaml", &["delay-list-zero.yaml:4:21:", "gradient_delay[1]: 0 is out of range"]),
    ("delay-list-length.yaml", &["delay-list-length.yaml", "has 2 entries but the network has 3 weighted layers"]),
    ("delay-unknown.yaml", &["delay-unknown.yaml", "unknown gradient delay policy `async`"]),
    // Impossible layer shapes.
    ("kernel-too-large.yaml", &["kernel-too-large.yaml", "layer 1 (conv): kernel 9 is larger than its padded input 8x8"]),
    ("zero-channels.yaml", &["zero-channels.yaml:8:25:", "network.layers[0].out: 0 is out of range"]),
    ("padding-too-large.yaml", &["padding-too-large.yaml", "padding 3 is not smaller than kernel 3"]),
    ("stride-zero.yaml", &["stride-zero.yaml:8:47:", "network.layers[0].stride: 0 is out of range"]),
    ("layer-type-unknown.yaml", &["layer-type-unknown.yaml", "unknown layer type `lstm`", "fc, conv or pool"]),
    ("conv-after-fc.yaml", &["conv-after-fc.yaml", "layer 2 (conv)", "input is flat"]),
    ("pool-last.yaml", &["pool-last.yaml", "the last layer is a pool"]),
    ("missing-out.yaml", &["missing-out.yaml", "layer 1 (fc): missing `out`"]),
    ("input-shape.yaml", &["input-shape.yaml", "`input` has 2 entries"]),
    // Paths named inside a problem.
    ("model-missing.yaml", &["model-missing.yaml", "`network: no-such-model.yaml`", "file not found"]),
    ("model-directory.yaml", &["model-directory.yaml", "`network: ../bad`", "is a directory"]),
    ("stg-missing.yaml", &["stg-missing.yaml", "`stg: no-such-graph.stg`", "file not found"]),
    ("stg-directory.yaml", &["stg-directory.yaml", "`stg: .`", "is a directory"]),
    ("stg-and-tasks.yaml", &["stg-and-tasks.yaml", "either `stg` or `tasks`"]),
    // Truncated or inconsistent STG files.
    ("truncated.stg", &["truncated.stg", "file ends early", "the task count 3 asks for 5 task lines"]),
    ("count-mismatch.stg", &["count-mismatch.stg", "the number of task 4 is missing"]),
    ("bad-numbering.stg", &["bad-numbering.stg:3:1:", "task line 1 has task number 2"]),
    ("bad-predecessor.stg", &["bad-predecessor.stg:4:7:", "task 2 has predecessor 7"]),
    ("not-a-number.stg", &["not-a-number.stg:3:3:", "`five`"]),
    ("negative-time.stg", &["negative-time.stg:3:3:", "`-4`"]),
    ("zero-tasks.stg", &["zero-tasks.stg:1:1:", "task count is 0"]),
];

#[test]
fn every_bad_file_is_rejected_with_its_message() {
    for (file, fragments) in SOLVE_CASES {
        let path = format!("{BAD}/{file}");
        let mut args = vec!["solve", path.as_str(), "--scheduler", "list"];
        if file.ends_with(".stg") {
            args.extend(["--processors", "2"]);
        }
        let message = rejected(&args);
        for fragment in *fragments {
            assert!(message.contains(fragment), "{file}: expected `{fragment}` in: {message}");
        }
    }
}

#[test]
fn every_bad_file_has_a_case() {
    let covered: Vec<&str> = SOLVE_CASES.iter().map(|(file, _)| *file).collect();
    for entry in std::fs::read_dir(BAD).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("result-") {
            continue;
        }
        assert!(covered.contains(&name.as_str()), "{name} has no case in SOLVE_CASES");
    }
}

#[test]
fn tasks_and_compare_reject_like_solve() {
    let message = rejected(&["tasks", "tests/inputs/bad/duration-fraction.yaml"]);
    assert!(message.contains("duration-fraction.yaml:4:23:"), "{message}");
    let message = rejected(&["compare", "problems/tg-two-bins.yaml", "tests/inputs/bad/unknown-task.yaml"]);
    assert!(message.contains("unknown-task.yaml"), "{message}");
}

#[test]
fn missing_file_is_rejected() {
    let message = rejected(&["solve", "tests/inputs/bad/no-such-file.yaml"]);
    assert!(message.contains("no-such-file.yaml: file not found"), "{message}");
}

#[test]
fn directory_is_rejected() {
    let message = rejected(&["solve", BAD]);
    assert!(message.contains("is a directory"), "{message}");
}

#[test]
fn model_file_given_as_problem_is_explained() {
    let message = rejected(&["solve", "models/mnist-mlp.yaml"]);
    assert!(message.contains("this is a model file, not a problem file"), "{message}");
}

/// `/dev/zero` reports size 0 and never ends: the read must stop at the
/// size limit instead of exhausting memory.
#[cfg(unix)]
#[test]
fn endless_device_is_rejected() {
    let message = rejected(&["solve", "/dev/zero", "--scheduler", "list"]);
    assert!(message.contains("larger than the supported maximum"), "{message}");
}

#[test]
fn bad_command_line_values_are_rejected() {
    let cases: &[(&[&str], &str)] = &[
        (&["solve", "problems/rand0000.stg", "--processors", "0"], "processor count is 0"),
        (&["solve", "problems/rand0000.stg"], "--processors"),
        (&["solve", "problems/tg-two-bins.yaml", "--iterations", "0"], "--iterations 0 is invalid"),
        (&["solve", "problems/tg-two-bins.yaml", "--objective", "period", "--iterations", "2"], "--iterations applies only"),
        (&["solve", "problems/tg-two-bins.yaml", "--time-limit=-1"], "--time-limit -1.0 is invalid"),
        (&["solve", "problems/tg-two-bins.yaml", "--time-limit", "NaN"], "--time-limit NaN is invalid"),
        (&["solve", "problems/tg-two-bins.yaml", "--time-limit", "1e308"], "--time-limit 1e308 is invalid"),
        (&["solve", "problems/tg-two-bins.yaml", "--mip-gap", "1.5"], "--mip-gap 1.5 is invalid"),
        (&["solve", "problems/tg-two-bins.yaml", "--iterations", "99999999999999999999"], "number too large"),
        (&["solve", "problems/tg-two-bins.yaml", "--scheduler", "list", "--gantt", "Cargo.toml"], "cannot create the Gantt directory"),
        (&["solve", "problems/tg-two-bins.yaml", "--threads", "0"], "--threads 0 is invalid"),
        (&["solve", "problems/tg-two-bins.yaml", "--scheduler", "fastest"], "fastest"),
        (&["solve", "problems/tg-two-bins.yaml", "--scheduler", "standard"], "task-graph"),
    ];
    for (args, fragment) in cases {
        let message = rejected(args);
        assert!(message.contains(fragment), "{args:?}: expected `{fragment}` in: {message}");
    }
}

#[test]
fn malformed_result_files_are_rejected() {
    let message = rejected(&["check", "problems/tg-two-bins.yaml", "tests/inputs/bad/result-truncated.json"]);
    assert!(message.contains("result-truncated.json:4:1:"), "{message}");
    assert!(message.contains("ends early"), "{message}");
    let message = rejected(&["check", "problems/tg-two-bins.yaml", "tests/inputs/bad/result-empty.json"]);
    assert!(message.contains("result-empty.json: result file is empty"), "{message}");
    let message = rejected(&["check", "problems/tg-two-bins.yaml", "tests/inputs/bad/no-such-result.json"]);
    assert!(message.contains("no-such-result.json: file not found"), "{message}");
}

/// Result files that parse but do not fit the problem: exit 2 and one line
/// naming the result file.
#[test]
fn inconsistent_result_files_are_rejected() {
    for file in ["result-unknown-task.json", "result-wrong-objective.json"] {
        let path = format!("{BAD}/{file}");
        let message = rejected(&["check", "problems/tg-two-bins.yaml", &path]);
        assert!(message.contains(file), "{message}");
    }
}

/// Checks that the messages name the offending value. This needs the JSON
/// result reader of the report module, which turns records into schedules.
#[test]
fn inconsistent_result_files_name_the_value() {
    let message = rejected(&["check", "problems/tg-two-bins.yaml", "tests/inputs/bad/result-unknown-task.json"]);
    assert!(message.contains("nonexistent"), "{message}");
    let message = rejected(&["check", "problems/tg-two-bins.yaml", "tests/inputs/bad/result-wrong-objective.json"]);
    assert!(message.contains("period"), "{message}");
    assert!(message.contains("makespan"), "{message}");
}

/// Inputs too large to keep as files, written to a temporary directory.
#[test]
fn generated_oversized_inputs_are_rejected() {
    let dir = tempfile::tempdir().unwrap();

    // 25,001 fc layers make 100,003 training tasks.
    let mut model = String::from("name: layers-too-many\nnetwork:\n  name: deep\n  input: [4]\n  timesteps: 1\n  batch: 1\n  layers:\n");
    model.push_str(&"    - {type: fc, out: 1}\n".repeat(25_001));
    model.push_str("arrays: {count: 2, rows: 8, cols: 8, dataflow: output-stationary}\n");
    let path = dir.path().join("layers-too-many.yaml");
    std::fs::write(&path, model).unwrap();
    let message = rejected(&["solve", path.to_str().unwrap(), "--scheduler", "list"]);
    assert!(message.contains("25001 layers make 100003 tasks"), "{message}");

    // 100,001 tasks in a task graph.
    let mut graph = String::from("name: tasks-too-many\nprocessors: 2\ntasks:\n");
    for id in 0..100_001 {
        graph.push_str(&format!("  - {{id: t{id}, duration: 1}}\n"));
    }
    let path = dir.path().join("tasks-too-many.yaml");
    std::fs::write(&path, graph).unwrap();
    let message = rejected(&["solve", path.to_str().unwrap(), "--scheduler", "list"]);
    assert!(message.contains("100001 tasks exceed the supported maximum of 100000"), "{message}");

    // A file above the 16 MiB limit.
    let path = dir.path().join("too-large.yaml");
    std::fs::write(&path, "#".repeat((16 << 20) + 1)).unwrap();
    let message = rejected(&["solve", path.to_str().unwrap(), "--scheduler", "list"]);
    assert!(message.contains("larger than the supported maximum of 16777216 bytes"), "{message}");
}
