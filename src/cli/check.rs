//! `spikepipe check`: validate the schedules of a result file against a
//! problem.

use super::{load_problem, CliError, ProblemArgs};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Problem file the schedules belong to.
    file: PathBuf,
    /// Result file written by `spikepipe solve --json`.
    result: PathBuf,
    #[command(flatten)]
    problem: ProblemArgs,
}

pub fn run(args: &CheckArgs) -> Result<i32, CliError> {
    let problem = load_problem(&args.file, &args.problem)?;
    let text = crate::problem::read_text(&args.result)?;
    // A syntax error is reported with its line and column before the
    // records are read.
    if text.trim().is_empty() {
        return Err(CliError::Input(crate::error::InputError::new(
            &args.result,
            "result file is empty; give the output of `spikepipe solve --json`",
        )));
    }
    serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|e| crate::error::InputError::from_json(&args.result, &e))?;
    let records = crate::report::parse_results(&args.result, &text)?;
    let mut failures = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let label = format!("result {} ({})", index + 1, record.scheduler);
        match crate::report::to_schedule(&problem, record) {
            Err(message) => return Err(CliError::Input(crate::error::InputError::new(&args.result, format!("{label}: {message}")))),
            Ok(schedule) => match crate::validate::validate(&problem, &schedule) {
                Ok(()) => super::emit(&format!("{label}: valid, {} {}\n", problem.objective.name(), schedule.value(&problem)))?,
                Err(violation) => {
                    super::emit(&format!("{label}: invalid: {violation}\n"))?;
                    failures.push(format!("{label}: {violation}"));
                }
            },
        }
    }
    if failures.is_empty() {
        Ok(0)
    } else {
        // Each violation is named on stdout above; stderr gets the count.
        Err(CliError::NoSchedule(format!(
            "{} of {} results in {} break the schedule rules",
            failures.len(),
            records.len(),
            args.result.display()
        )))
    }
}
