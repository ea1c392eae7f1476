//! The JSON result format of `solve --json` and `check`: one object per
//! scheduler run with the objective value, the metrics and the schedule.
//! The schedule is a list of `{task, iteration, array, start, end}` entries
//! that name tasks by their names, so that `check` can map a result file back
//! onto its problem.
//!
//! Fields that do not apply are `null`: `iterations` for a period, every
//! metric when no schedule was found, and `speedup` and `comm_overhead` for
//! task-graph problems or when no standard schedule exists.

use crate::error::InputError;
use crate::metrics::Metrics;
use crate::problem::{Objective, Problem};
use crate::sched::Outcome;
use crate::schedule::{Placement, Schedule, Timing};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// One scheduler run on one problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub scheduler: String,
    /// `period` or `makespan`.
    pub objective: String,
    /// The period or the makespan in cycles.
    #[serde(default)]
    pub value: Option<i64>,
    /// Unrolled iterations of a makespan objective.
    #[serde(default)]
    pub iterations: Option<i64>,
    /// `optimal`, `feasible`, `infeasible` or `timeout`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub lower_bound: Option<u64>,
    #[serde(default)]
    pub gap: Option<f64>,
    #[serde(default)]
    pub seconds: f64,
    #[serde(default)]
    pub utilization: Option<f64>,
    #[serde(default)]
    pub inter_array_bytes: Option<f64>,
    #[serde(default)]
    pub training_bytes: Option<u64>,
    #[serde(default)]
    pub comm_overhead: Option<f64>,
    #[serde(default)]
    pub speedup: Option<f64>,
    /// Every task copy, ordered by iteration and then task; empty when no
    /// schedule was found.
    pub schedule: Vec<ScheduledTask>,
}

/// One task copy of a schedule. The numbers are signed so that a result
/// file with a negative entry gets an error that names the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledTask {
    pub task: String,
    /// Always 0 in a periodic schedule.
    pub iteration: i64,
    pub array: i64,
    pub start: i64,
    pub end: i64,
}

/// Builds the result of `outcome` on `problem`. The schedule, when present,
/// must already have passed the validator. `standard` is the
/// standard-pipelining schedule of the same problem, for `speedup` and
/// `comm_overhead`.
pub fn result_record(problem: &Problem, outcome: &Outcome, standard: Option<&Schedule>) -> ResultRecord {
    let metrics = outcome
        .schedule
        .as_ref()
        .map(|schedule| Metrics::compute(problem, schedule, outcome.lower_bound, standard));
    let iterations = match problem.objective {
        Objective::Period => None,
        Objective::Makespan { iterations } => Some(i64::from(iterations)),
    };
    let schedule = outcome.schedule.as_ref().map_or_else(Vec::new, |s| scheduled_tasks(problem, s));
    ResultRecord {
        problem: problem.name.clone(),
        scheduler: outcome.scheduler.name().to_string(),
        objective: problem.objective.name().to_string(),
        value: metrics.map(|m| signed(m.value)),
        iterations,
        status: outcome.status.name().to_string(),
        lower_bound: Some(outcome.lower_bound),
        gap: metrics.map(|m| m.gap),
        seconds: outcome.seconds,
        utilization: metrics.map(|m| m.utilization),
        inter_array_bytes: metrics.map(|m| m.inter_array_bytes),
        training_bytes: problem.network.as_ref().map(|context| context.training_bytes),
        comm_overhead: metrics.and_then(|m| m.comm_overhead),
        speedup: metrics.and_then(|m| m.speedup),
        schedule,
    }
}

/// Lists the entries of `schedule` in canonical order (iteration, then task).
fn scheduled_tasks(problem: &Problem, schedule: &Schedule) -> Vec<ScheduledTask> {
    let mut placements = schedule.placements.clone();
    placements.sort_by_key(|p| (p.iteration, p.task));
    placements
        .iter()
        .map(|p| ScheduledTask {
            task: problem.tasks[p.task].name.clone(),
            iteration: i64::from(p.iteration),
            array: signed(p.array as u64),
            start: signed(p.start),
            end: signed(schedule.end(problem, p)),
        })
        .collect()
}

/// Cycle counts above `i64::MAX` do not occur in practice; saturate rather
/// than wrap if one ever does.
fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Formats results as the pretty-printed JSON array that `solve --json`
/// prints.
pub fn to_json(records: &[ResultRecord]) -> String {
    // serde_json fails only on maps with non-string keys, which these
    // structs do not contain.
    serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".to_string())
}

/// Parses a result file: one result object or an array of them.
pub fn parse_results(path: &Path, text: &str) -> Result<Vec<ResultRecord>, InputError> {
    let records = if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<ResultRecord>>(text).map_err(|e| json_error(path, &e))?
    } else {
        vec![serde_json::from_str::<ResultRecord>(text).map_err(|e| json_error(path, &e))?]
    };
    if records.is_empty() {
        return Err(InputError::new(path, "the result file is an empty array; expected at least one result object"));
    }
    Ok(records)
}

/// Converts a serde_json error, keeping its position and dropping serde's
/// own "at line L column C" suffix, which the prefix repeats.
fn json_error(path: &Path, error: &serde_json::Error) -> InputError {
    let mut message = error.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    if error.line() == 0 {
        InputError::new(path, message)
    } else {
        InputError::at(path, error.line(), error.column(), message)
    }
}

/// Rebuilds the schedule of `record` for `problem`, mapping task names back
/// to task indices. Checks that the result fits the problem: objective,
/// iterations, task names, array numbers, non-negative numbers, and ends
/// that match the durations. The validity rules are left to the validator.
pub fn to_schedule(problem: &Problem, record: &ResultRecord) -> Result<Schedule, String> {
    if record.objective != problem.objective.name() {
        return Err(format!(
            "the result's objective is `{}` but the problem's is `{}`; check the result against the problem it was solved for",
            record.objective,
            problem.objective.name()
        ));
    }
    if record.schedule.is_empty() {
        return Err(format!(
            "the result of scheduler `{}` has no schedule (status `{}`), so there is nothing to check",
            record.scheduler, record.status
        ));
    }
    let timing = timing_of(problem, record)?;
    let iterations = match timing {
        Timing::Periodic { .. } => 1,
        Timing::Makespan { iterations } => iterations,
    };
    let index: HashMap<&str, usize> = problem.tasks.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();

    let mut placements = Vec::with_capacity(record.schedule.len());
    for (position, entry) in record.schedule.iter().enumerate() {
        let placement = placement_of(problem, &index, iterations, position, entry)?;
        let end = placement.start.saturating_add(problem.duration(placement.task, placement.array));
        if u64::try_from(entry.end).ok() != Some(end) {
            return Err(format!(
                "schedule entry {position} ({}, iteration {}): `end` is {} but start {} plus its {} cycles on array {} gives {end}",
                entry.task,
                entry.iteration,
                entry.end,
                entry.start,
                end - placement.start,
                entry.array
            ));
        }
        placements.push(placement);
    }
    let mut schedule = Schedule { timing, placements };
    schedule.canonicalize();

    if let (Timing::Makespan { .. }, Some(claimed)) = (timing, record.value) {
        let actual = schedule.value(problem);
        if u64::try_from(claimed).ok() != Some(actual) {
            return Err(format!("`value` is {claimed} but the last task of the schedule ends at {actual}"));
        }
    }
    Ok(schedule)
}

/// The timing of a result: its period, or its iteration count, which must
/// equal the problem's.
fn timing_of(problem: &Problem, record: &ResultRecord) -> Result<Timing, String> {
    match problem.objective {
        Objective::Period => match record.value {
            None => Err("`value` (the period) is missing; a periodic result needs its period in cycles".to_string()),
            Some(period) if period < 1 => {
                Err(format!("`value` (the period) is {period}; a period must be at least 1 cycle"))
            }
            Some(period) => Ok(Timing::Periodic { period: period as u64 }),
        },
        Objective::Makespan { iterations } => match record.iterations {
            Some(n) if n == i64::from(iterations) => Ok(Timing::Makespan { iterations }),
            Some(n) => Err(format!(
                "the result has `iterations` {n} but the problem unrolls {iterations}; solve again with --iterations {n} or fix the result"
            )),
            None => Err(format!("`iterations` is missing; a makespan result needs it (the problem unrolls {iterations})")),
        },
    }
}

/// Converts one schedule entry, checking its task name and its numbers.
fn placement_of(
    problem: &Problem,
    index: &HashMap<&str, usize>,
    iterations: u32,
    position: usize,
    entry: &ScheduledTask,
) -> Result<Placement, String> {
    let at = format!("schedule entry {position} ({}, iteration {})", entry.task, entry.iteration);
    let Some(&task) = index.get(entry.task.as_str()) else {
        return Err(format!("schedule entry {position}: unknown task `{}`; {}", entry.task, known_tasks(problem)));
    };
    for (field, value) in [("iteration", entry.iteration), ("array", entry.array), ("start", entry.start), ("end", entry.end)] {
        if value < 0 {
            return Err(format!("{at}: `{field}` is {value}; it must be a non-negative integer"));
        }
    }
    if entry.iteration >= i64::from(iterations) {
        let allowed = if iterations == 1 { "0".to_string() } else { format!("0 to {}", iterations - 1) };
        return Err(format!("{at}: `iteration` is {}; this schedule has iterations {allowed}", entry.iteration));
    }
    let arrays = problem.array_count();
    if entry.array >= arrays as i64 {
        return Err(format!("{at}: `array` is {}; the problem has arrays 0 to {}", entry.array, arrays.saturating_sub(1)));
    }
    Ok(Placement { task, iteration: entry.iteration as u32, array: entry.array as usize, start: entry.start as u64 })
}

/// Lists the first few task names of the problem for an error message.
fn known_tasks(problem: &Problem) -> String {
    const SHOWN: usize = 8;
    let names: Vec<&str> = problem.tasks.iter().take(SHOWN).map(|t| t.name.as_str()).collect();
    let more = if problem.tasks.len() > SHOWN { format!(" and {} more", problem.tasks.len() - SHOWN) } else { String::new() };
    format!("the problem's tasks are {}{more}", names.join(", "))
}

#[cfg(test)]
mod tests;
