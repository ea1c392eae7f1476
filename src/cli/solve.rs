//! `spikepipe solve` and `spikepipe compare`: run schedulers, validate every
//! schedule, then print, write and plot the results.

use super::{format_table, load_problem, CliError, ProblemArgs, SchedulerChoice, SolverArgs};
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::sched::{self, Outcome, SchedulerKind, SolveOptions};
use crate::schedule::Schedule;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct SolveArgs {
    /// Problem file (.yaml, or .stg with --processors).
    file: PathBuf,
    /// Scheduler to run.
    #[arg(long, value_enum, default_value = "ilp")]
    scheduler: SchedulerChoice,
    #[command(flatten)]
    problem: ProblemArgs,
    #[command(flatten)]
    solver: SolverArgs,
    /// Write Gantt charts (PNG) into this directory [default: plots].
    #[arg(long, num_args = 0..=1, default_missing_value = "plots")]
    gantt: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Problem files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    problem: ProblemArgs,
    #[command(flatten)]
    solver: SolverArgs,
    /// Directory of the Gantt charts.
    #[arg(long, default_value = "plots")]
    gantt: PathBuf,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// One scheduler's validated result on one problem.
pub struct Run {
    pub outcome: Outcome,
    pub metrics: Option<Metrics>,
}

/// Runs `kinds` on `problem`. The standard schedule, when the problem has one,
/// is computed first and serves as the ILP's starting point and as the
/// reference of speedup and communication overhead. Every schedule passes the
/// validator before it is returned.
pub fn run_schedulers(problem: &Problem, kinds: &[SchedulerKind], options: &SolveOptions) -> Result<(Vec<Run>, Option<Schedule>), CliError> {
    let mut outcomes: Vec<Outcome> = Vec::new();
    let standard = if sched::applies(SchedulerKind::Standard, problem)
        && (kinds.contains(&SchedulerKind::Standard) || problem.network.is_some())
    {
        log::info!("{}: running the standard scheduler", problem.name);
        let outcome = sched::run(problem, SchedulerKind::Standard, options, None).map_err(|e| CliError::Usage(e.to_string()))?;
        let schedule = outcome.schedule.clone();
        if kinds.contains(&SchedulerKind::Standard) {
            outcomes.push(outcome);
        }
        schedule
    } else {
        None
    };
    for &kind in kinds.iter().filter(|&&k| k != SchedulerKind::Standard) {
        log::info!("{}: running the {} scheduler", problem.name, kind.name());
        outcomes.push(sched::run(problem, kind, options, standard.as_ref()).map_err(|e| CliError::Usage(e.to_string()))?);
    }
    if let Some(schedule) = &standard {
        crate::validate::validate(problem, schedule).map_err(|v| {
            CliError::NoSchedule(format!("{}: internal error: the standard schedule is invalid: {v}", problem.name))
        })?;
    }
    let mut runs = Vec::new();
    for outcome in outcomes {
        let metrics = match &outcome.schedule {
            Some(schedule) => {
                crate::validate::validate(problem, schedule).map_err(|v| {
                    CliError::NoSchedule(format!(
                        "{}: internal error: the {} scheduler produced an invalid schedule: {v}",
                        problem.name,
                        outcome.scheduler.name()
                    ))
                })?;
                Some(Metrics::compute(problem, schedule, outcome.lower_bound, standard.as_ref()))
            }
            None => None,
        };
        runs.push(Run { outcome, metrics });
    }
    Ok((runs, standard))
}

fn requested_kinds(choice: SchedulerChoice, problem: &Problem) -> Result<Vec<SchedulerKind>, CliError> {
    let kinds: Vec<SchedulerKind> = choice.kinds().into_iter().filter(|&k| sched::applies(k, problem)).collect();
    if kinds.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: the standard scheduler does not apply to task-graph problems; use --scheduler ilp or list",
            problem.source.display()
        )));
    }
    Ok(kinds)
}

pub fn run_solve(args: &SolveArgs, verbose: u8, quiet: bool) -> Result<i32, CliError> {
    let problem = load_problem(&args.file, &args.problem)?;
    let options = args.solver.options(verbose, !quiet && !args.json)?;
    let kinds = requested_kinds(args.scheduler, &problem)?;
    let (runs, standard) = run_schedulers(&problem, &kinds, &options)?;
    if let Some(dir) = &args.gantt {
        draw_charts(&problem, &runs, dir)?;
    }
    let records = records_of(&[(&problem, &runs, standard.as_ref())]);
    if args.json {
        super::emit(&format!("{}\n", crate::report::to_json(&records)))?;
    } else {
        super::emit(&crate::report::comparison_table(&records))?;
        if verbose >= 1 {
            for run in &runs {
                if let Some(schedule) = &run.outcome.schedule {
                    super::emit(&format!("\n{} schedule of {}:\n", run.outcome.scheduler.name(), problem.name))?;
                    super::emit(&format_table(&schedule_rows(&problem, schedule)))?;
                }
            }
        }
    }
    Ok(exit_status(&[(&problem, &runs)]))
}

pub fn run_compare(args: &CompareArgs, verbose: u8, quiet: bool) -> Result<i32, CliError> {
    // Read every file before solving anything, so that a typo in the last
    // file does not cost the solve time of the others.
    let problems: Vec<Problem> = args.files.iter().map(|f| load_problem(f, &args.problem)).collect::<Result<_, _>>()?;
    let options = args.solver.options(verbose, !quiet && !args.json)?;
    let mut results = Vec::new();
    for problem in &problems {
        let kinds: Vec<SchedulerKind> = SchedulerKind::ALL.into_iter().filter(|&k| sched::applies(k, problem)).collect();
        if !quiet && !args.json {
            eprintln!("solving {} ({} tasks, {} arrays)", problem.name, problem.tasks.len(), problem.array_count());
        }
        let (runs, standard) = run_schedulers(problem, &kinds, &options)?;
        draw_charts(problem, &runs, &args.gantt)?;
        results.push((problem, runs, standard));
    }
    let views: Vec<(&Problem, &Vec<Run>)> = results.iter().map(|(p, r, _)| (*p, r)).collect();
    let with_standard: Vec<(&Problem, &Vec<Run>, Option<&Schedule>)> =
        results.iter().map(|(p, r, s)| (*p, r, s.as_ref())).collect();
    let records = records_of(&with_standard);
    if args.json {
        super::emit(&format!("{}\n", crate::report::to_json(&records)))?;
    } else {
        super::emit(&crate::report::comparison_table(&records))?;
        if !quiet {
            eprintln!("Gantt charts written to {}", args.gantt.display());
        }
    }
    Ok(exit_status(&views))
}

fn exit_status(results: &[(&Problem, &Vec<Run>)]) -> i32 {
    let missing: Vec<String> = results
        .iter()
        .flat_map(|(problem, runs)| {
            runs.iter()
                .filter(|r| r.outcome.schedule.is_none())
                .map(move |r| format!("{} ({}: {})", problem.name, r.outcome.scheduler.name(), r.outcome.status.name()))
        })
        .collect();
    if missing.is_empty() {
        0
    } else {
        log::error!("no schedule found for {}", missing.join(", "));
        crate::error::EXIT_NO_SCHEDULE
    }
}

/// The JSON records of validated runs, in run order.
fn records_of(results: &[(&Problem, &Vec<Run>, Option<&Schedule>)]) -> Vec<crate::report::ResultRecord> {
    results
        .iter()
        .flat_map(|(problem, runs, standard)| {
            runs.iter().map(move |run| crate::report::result_record(problem, &run.outcome, *standard))
        })
        .collect()
}

fn draw_charts(problem: &Problem, runs: &[Run], dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Usage(format!("{}: cannot create the Gantt directory ({e}); give another directory with --gantt", dir.display())))?;
    for run in runs {
        if let (Some(schedule), Some(metrics)) = (&run.outcome.schedule, &run.metrics) {
            let path = dir.join(format!("{}-{}.png", file_stem(&problem.name), run.outcome.scheduler.name()));
            crate::gantt::draw_gantt(problem, schedule, run.outcome.scheduler.name(), metrics, &path)
                .map_err(|e| CliError::Usage(format!("{}: cannot write the Gantt chart: {e}", path.display())))?;
        }
    }
    Ok(())
}

/// A problem name made safe as a file name.
fn file_stem(name: &str) -> String {
    let stem: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if stem.is_empty() { "problem".into() } else { stem }
}

fn schedule_rows(problem: &Problem, schedule: &Schedule) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["task".to_string(), "iteration".into(), "array".into(), "start".into(), "end".into()]];
    let mut placements = schedule.placements.clone();
    placements.sort_by_key(|p| (p.array, p.start, p.iteration, p.task));
    for p in placements {
        rows.push(vec![
            problem.tasks[p.task].name.clone(),
            p.iteration.to_string(),
            p.array.to_string(),
            p.start.to_string(),
            schedule.end(problem, &p).to_string(),
        ]);
    }
    rows
}
