use super::*;
use crate::problem::{load, LoadOptions};
use crate::sched::{SchedulerKind, Status};

/// Loads a problem from YAML text written to a temporary file.
fn problem_from(text: &str) -> Problem {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("p.yaml");
    std::fs::write(&path, text).unwrap();
    load(&path, LoadOptions::default()).unwrap()
}

/// a (3) → b (2) → c (4) with 8 bytes on b → c, and c → a at distance 1,
/// on two processors.
const TASK_GRAPH: &str = "name: chain
processors: 2
objective: period
tasks:
  - {id: a, duration: 3}
  - {id: b, duration: 2, after: [a]}
  - {id: c, duration: 4}
edges:
  - {from: b, to: c, bytes: 8}
  - {from: c, to: a, distance: 1}
";

fn outcome(schedule: Option<Schedule>, status: Status) -> Outcome {
    Outcome { scheduler: SchedulerKind::List, schedule, status, lower_bound: 5, seconds: 0.25 }
}

/// Period 9: a 0..3 and b 3..5 on array 1, c 5..9 on array 0.
fn periodic_schedule(problem: &Problem) -> Schedule {
    let t = |name: &str| problem.task_index(name).unwrap();
    let schedule = Schedule {
        timing: Timing::Periodic { period: 9 },
        placements: vec![
            Placement { task: t("a"), iteration: 0, array: 1, start: 0 },
            Placement { task: t("b"), iteration: 0, array: 1, start: 3 },
            Placement { task: t("c"), iteration: 0, array: 0, start: 5 },
        ],
    };
    crate::validate::validate(problem, &schedule).unwrap();
    schedule
}

#[test]
fn record_holds_metrics_and_names() {
    let problem = problem_from(TASK_GRAPH);
    let record = result_record(&problem, &outcome(Some(periodic_schedule(&problem)), Status::Feasible), None);
    assert_eq!(record.problem, "chain");
    assert_eq!(record.scheduler, "list");
    assert_eq!(record.objective, "period");
    assert_eq!(record.value, Some(9));
    assert_eq!(record.iterations, None);
    assert_eq!(record.status, "feasible");
    assert_eq!(record.lower_bound, Some(5));
    // Gap (9 − 5) / 9; busy 9 of 2 · 9 cycles; b → c crosses with 8 bytes.
    assert!((record.gap.unwrap() - 4.0 / 9.0).abs() < 1e-12);
    assert!((record.utilization.unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(record.inter_array_bytes, Some(8.0));
    assert_eq!(record.speedup, None);
    assert_eq!(record.comm_overhead, None);
    assert_eq!(record.training_bytes, None);
    let c = record.schedule.iter().find(|e| e.task == "c").unwrap();
    assert_eq!((c.iteration, c.array, c.start, c.end), (0, 0, 5, 9));
}

#[test]
fn record_without_schedule_has_nulls() {
    let problem = problem_from(TASK_GRAPH);
    let record = result_record(&problem, &outcome(None, Status::Timeout), None);
    let json: serde_json::Value = serde_json::from_str(&to_json(&[record])).unwrap();
    let object = &json[0];
    assert_eq!(object["status"], "timeout");
    for field in ["value", "iterations", "gap", "utilization", "inter_array_bytes", "speedup", "comm_overhead"] {
        assert!(object[field].is_null(), "{field} should be null: {object}");
    }
    assert_eq!(object["lower_bound"], 5);
    assert_eq!(object["schedule"], serde_json::json!([]));
}

#[test]
fn periodic_round_trip() {
    let problem = problem_from(TASK_GRAPH);
    let schedule = periodic_schedule(&problem);
    let record = result_record(&problem, &outcome(Some(schedule.clone()), Status::Feasible), None);
    let text = to_json(&[record]);
    let parsed = parse_results(Path::new("r.json"), &text).unwrap();
    assert_eq!(parsed.len(), 1);
    let mut expected = schedule;
    expected.canonicalize();
    assert_eq!(to_schedule(&problem, &parsed[0]).unwrap(), expected);
}

#[test]
fn makespan_round_trip_from_single_object() {
    let text = TASK_GRAPH.replace("objective: period", "objective: makespan\niterations: 2");
    let problem = problem_from(&text);
    let schedule = crate::sched::list::sequential_schedule(&problem);
    crate::validate::validate(&problem, &schedule).unwrap();
    let record = result_record(&problem, &outcome(Some(schedule.clone()), Status::Feasible), None);
    assert_eq!(record.iterations, Some(2));
    assert_eq!(record.schedule.len(), 6);
    let object = serde_json::to_string(&record).unwrap();
    let parsed = parse_results(Path::new("r.json"), &object).unwrap();
    assert_eq!(to_schedule(&problem, &parsed[0]).unwrap(), schedule);
}

/// Builds the periodic result and applies `change` to it.
fn edited(change: impl FnOnce(&mut ResultRecord)) -> (Problem, ResultRecord) {
    let problem = problem_from(TASK_GRAPH);
    let mut record = result_record(&problem, &outcome(Some(periodic_schedule(&problem)), Status::Feasible), None);
    change(&mut record);
    (problem, record)
}

fn rejects(change: impl FnOnce(&mut ResultRecord), fragment: &str) {
    let (problem, record) = edited(change);
    let error = to_schedule(&problem, &record).expect_err("the result should be rejected");
    assert!(error.contains(fragment), "message `{error}` lacks `{fragment}`");
    assert!(!error.contains('\n'), "message `{error}` spans lines");
}

#[test]
fn unknown_task_name_is_rejected() {
    rejects(|r| r.schedule[0].task = "zz".into(), "unknown task `zz`; the problem's tasks are a, b, c");
}

#[test]
fn wrong_objective_is_rejected() {
    rejects(|r| r.objective = "makespan".into(), "objective is `makespan` but the problem's is `period`");
}

#[test]
fn negative_numbers_are_rejected() {
    rejects(|r| r.schedule[1].start = -4, "`start` is -4");
    rejects(|r| r.schedule[0].array = -1, "`array` is -1");
    rejects(|r| r.value = Some(-9), "period) is -9");
}

#[test]
fn out_of_range_entries_are_rejected() {
    rejects(|r| r.schedule[0].array = 2, "`array` is 2; the problem has arrays 0 to 1");
    rejects(|r| r.schedule[0].iteration = 1, "`iteration` is 1; this schedule has iterations 0");
    rejects(|r| r.schedule[2].end += 1, "`end` is 10 but start 5 plus its 4 cycles on array 0 gives 9");
}

#[test]
fn empty_schedule_is_rejected() {
    rejects(
        |r| {
            r.schedule.clear();
            r.status = "timeout".into();
        },
        "has no schedule (status `timeout`)",
    );
}

#[test]
fn wrong_makespan_claim_is_rejected() {
    let text = TASK_GRAPH.replace("objective: period", "objective: makespan\niterations: 2");
    let problem = problem_from(&text);
    let schedule = crate::sched::list::sequential_schedule(&problem);
    let mut record = result_record(&problem, &outcome(Some(schedule), Status::Feasible), None);
    record.value = Some(3);
    let error = to_schedule(&problem, &record).unwrap_err();
    assert!(error.contains("`value` is 3 but the last task of the schedule ends at 18"), "{error}");
    record.iterations = Some(3);
    let error = to_schedule(&problem, &record).unwrap_err();
    assert!(error.contains("`iterations` 3 but the problem unrolls 2"), "{error}");
}

#[test]
fn malformed_json_has_position() {
    let error = parse_results(Path::new("r.json"), "[{\"objective\": \"period\",\n \"schedule\": 5}]").unwrap_err();
    assert_eq!(error.location.map(|(line, _)| line), Some(2));
    assert!(error.message.contains("expected a sequence"), "{error}");
    let error = parse_results(Path::new("r.json"), "[]").unwrap_err();
    assert!(error.message.contains("empty array"), "{error}");
    let error = parse_results(Path::new("r.json"), "{\"schedule\": []}").unwrap_err();
    assert!(error.message.contains("missing field `objective`"), "{error}");
}
