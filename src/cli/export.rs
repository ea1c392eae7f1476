//! `spikepipe export`: write the exact model the ILP solves (LP or MPS, by
//! the output's extension) or the validated problem as JSON, for other
//! solvers.
//!
//! Period problems: the ILP solves one feasibility model per probed period
//! T, and the file contains the model at `--period T`, by default at the basic
//! lower bound (the largest of ⌈work / P⌉, the longest task and the
//! iteration bound). Makespan problems: the big-M model that minimises the
//! makespan C over schedules with C ≤ H, where H is `--horizon` or the list
//! heuristic's makespan. Times in both models are in units of T or H (see
//! the `ilp::period` and `ilp::makespan` module docs), so a makespan model's
//! optimum times H is the optimum in cycles.
//!
//! JSON: `{name, objective, iterations, arrays, tasks: [{name, durations}],
//! edges: [{from, to, distance, bytes, comm}], lower_bound}`, where `comm` is
//! the transfer in cycles when the ends run on different arrays.

use super::{display, load_problem, CliError, ProblemArgs};
use crate::problem::{Objective, Problem};
use clap::Args;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Problem file (.yaml, or .stg with --processors).
    file: PathBuf,
    /// Output file: .lp or .mps for the ILP model, .json for the problem.
    #[arg(short, long)]
    output: PathBuf,
    /// Period of the exported period model (default: the basic lower bound).
    #[arg(long)]
    period: Option<u64>,
    /// Horizon H of the exported makespan model (default: the list
    /// heuristic's makespan).
    #[arg(long)]
    horizon: Option<u64>,
    #[command(flatten)]
    problem: ProblemArgs,
}

/// One task of the JSON export.
#[derive(Debug, Serialize)]
struct TaskJson<'a> {
    name: &'a str,
    durations: &'a [u64],
}

/// One edge of the JSON export.
#[derive(Debug, Serialize)]
struct EdgeJson {
    from: usize,
    to: usize,
    distance: u32,
    bytes: u64,
    comm: u64,
}

/// The JSON export of a problem.
#[derive(Debug, Serialize)]
struct ProblemJson<'a> {
    name: &'a str,
    objective: &'static str,
    iterations: Option<u32>,
    arrays: usize,
    tasks: Vec<TaskJson<'a>>,
    edges: Vec<EdgeJson>,
    lower_bound: u64,
}

/// Renders `problem` as the JSON export.
pub fn problem_json(problem: &Problem) -> String {
    let export = ProblemJson {
        name: &problem.name,
        objective: problem.objective.name(),
        iterations: match problem.objective {
            Objective::Makespan { iterations } => Some(iterations),
            Objective::Period => None,
        },
        arrays: problem.array_count(),
        tasks: problem.tasks.iter().map(|t| TaskJson { name: &t.name, durations: &t.durations }).collect(),
        edges: problem
            .edges
            .iter()
            .map(|e| EdgeJson { from: e.from, to: e.to, distance: e.distance, bytes: e.bytes, comm: problem.remote_comm(e) })
            .collect(),
        lower_bound: crate::graph::basic_lower_bound(problem),
    };
    serde_json::to_string(&export).expect("the problem export serializes")
}

pub fn run(args: &ExportArgs) -> Result<i32, CliError> {
    let problem = load_problem(&args.file, &args.problem)?;
    let extension = args.output.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension {
        "json" => {
            let mut text = problem_json(&problem);
            text.push('\n');
            crate::report::write_atomic(&args.output, text.as_bytes())
                .map_err(|error| CliError::Usage(format!("{}: {error}; choose a writable path", display(&args.output))))?;
            Ok(0)
        }
        "lp" | "mps" => write_model(&problem, args, &args.output),
        _ => Err(CliError::Usage(format!(
            "{}: unknown output format; give a file ending in .lp, .mps or .json",
            display(&args.output)
        ))),
    }
}

#[cfg(feature = "solver")]
fn write_model(problem: &Problem, args: &ExportArgs, output: &Path) -> Result<i32, CliError> {
    let written = match problem.objective {
        Objective::Period => {
            if args.horizon.is_some() {
                return Err(CliError::Usage("--horizon applies only to makespan problems; use --period".into()));
            }
            let period = args.period.unwrap_or_else(|| crate::graph::basic_lower_bound(problem));
            if period == 0 {
                return Err(CliError::Usage("--period 0 is invalid; give a positive number of cycles".into()));
            }
            log::info!("writing the period model at T = {period}");
            crate::ilp::period::write_model(problem, period, None, output)
        }
        Objective::Makespan { iterations } => {
            if args.period.is_some() {
                return Err(CliError::Usage("--period applies only to period problems; use --horizon".into()));
            }
            let low = crate::graph::basic_lower_bound(problem);
            let horizon = match args.horizon {
                Some(horizon) => horizon,
                None => crate::sched::list::schedule(problem)
                    .map(|s| s.value(problem))
                    .ok_or_else(|| CliError::NoSchedule("the list heuristic found no schedule; give --horizon".into()))?,
            };
            if horizon < low {
                return Err(CliError::Usage(format!(
                    "--horizon {horizon} is below the lower bound {low}; no schedule fits, give at least {low}"
                )));
            }
            log::info!("writing the makespan model with horizon H = {horizon}");
            crate::ilp::makespan::write_model(problem, iterations, None, horizon, low, output)
        }
    };
    written.map_err(CliError::Usage)?;
    Ok(0)
}

#[cfg(not(feature = "solver"))]
fn write_model(_problem: &Problem, _args: &ExportArgs, output: &Path) -> Result<i32, CliError> {
    Err(CliError::Usage(format!("{}: writing ILP models needs the solver feature; rebuild with it", display(output))))
}
