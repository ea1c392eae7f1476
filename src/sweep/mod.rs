//! Parameter sweeps: one network problem per model file, array count, delay
//! policy and tiling, plus problem files solved as written; their results as
//! rows of one table, written as CSV, Markdown and plots.
//!
//! The command line (`spikepipe sweep`) solves the scenarios built here; this
//! module owns what does not depend on how they are solved: building the
//! problems, the result rows, the output files and the report.

pub mod output;
pub mod plot;
pub mod report;

use crate::error::InputError;
use crate::metrics::Metrics;
use crate::model::ModelSpec;
use crate::problem::{
    build_network_problem, ArrayGroupSpec, DelaySpec, LinkSpec, NetworkProblemSpec, NetworkRef, OneOrMany,
    Problem, TilingSpec,
};
use crate::sched::{Outcome, SchedulerKind};
use crate::workload::{DelayPolicy, Split};
use std::path::{Path, PathBuf};

/// Largest number of scenarios one sweep may build.
pub const MAX_SCENARIOS: usize = 10_000;

/// The arrays and link of every problem built from a model file.
#[derive(Debug, Clone, PartialEq)]
pub struct Hardware {
    pub rows: u64,
    pub cols: u64,
    /// `weight-stationary`, `output-stationary` or `input-stationary`.
    pub dataflow: String,
    pub vector_lanes: u64,
    /// Absent: transfers between arrays are free.
    pub link: Option<LinkSpec>,
}

impl Default for Hardware {
    /// 128x128 weight-stationary arrays with 128 vector lanes; a link of
    /// 100 cycles latency and 32 bytes per cycle.
    fn default() -> Self {
        Hardware {
            rows: 128,
            cols: 128,
            dataflow: "weight-stationary".into(),
            vector_lanes: 128,
            link: Some(LinkSpec { latency_cycles: 100, bytes_per_cycle: 32 }),
        }
    }
}

impl Hardware {
    /// `128x128 weight-stationary, 128 lanes, link 100 cycles + 32 B/cycle`.
    pub fn describe(&self) -> String {
        let link = match self.link {
            Some(l) => format!("link latency {} cycles, {} bytes per cycle", l.latency_cycles, l.bytes_per_cycle),
            None => "free transfers".into(),
        };
        format!("{}x{} {} arrays with {} vector lanes; {link}", self.rows, self.cols, self.dataflow, self.vector_lanes)
    }
}

/// A network-wide tiling option of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilingChoice {
    None,
    Whole { split: Split, tiles: u64 },
}

impl TilingChoice {
    pub fn label(&self) -> String {
        match self {
            TilingChoice::None => "none".into(),
            TilingChoice::Whole { split, tiles } => format!("{split}:{tiles}"),
        }
    }

    fn spec(&self) -> Option<TilingSpec> {
        match *self {
            TilingChoice::None => None,
            TilingChoice::Whole { split, tiles } => Some(TilingSpec {
                split: Some(split.name().into()),
                tiles: Some(tiles),
                layers: Default::default(),
            }),
        }
    }
}

impl std::str::FromStr for TilingChoice {
    type Err = String;

    /// Parses `none`, `time:4` or `channels:2`.
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "none" {
            return Ok(TilingChoice::None);
        }
        let (split, tiles) = text
            .split_once(':')
            .ok_or_else(|| format!("invalid tiling `{text}`; use none, time:N or channels:N"))?;
        let split: Split = split.parse()?;
        let tiles: u64 = tiles
            .trim()
            .parse()
            .map_err(|_| format!("invalid tile count in `{text}`; give a positive integer, such as time:4"))?;
        Ok(TilingChoice::Whole { split, tiles })
    }
}

/// What a sweep varies for each model file.
#[derive(Debug, Clone)]
pub struct Grid {
    pub array_counts: Vec<u64>,
    pub delays: Vec<DelayPolicy>,
    pub tilings: Vec<TilingChoice>,
    pub hardware: Hardware,
    /// Overrides of the models' batch and timesteps.
    pub batch: Option<u64>,
    pub timesteps: Option<u64>,
    /// `period` or `makespan`; absent: period.
    pub objective: Option<String>,
    pub iterations: Option<u64>,
}

/// The source of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Built from a model file for one point of the grid.
    Model,
    /// A problem file solved as written.
    ProblemFile,
}

/// One problem of a sweep with the grid point that produced it.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The model's name, or the problem file's name.
    pub network: String,
    pub origin: Origin,
    pub arrays: usize,
    /// `128x128`, or groups such as `4x128x128+4x64x64`.
    pub array_sizes: String,
    pub delays: String,
    pub tiling: String,
    pub problem: Problem,
}

/// Parses array counts: a comma-separated list of integers and inclusive
/// ranges, such as `2..16` or `2,4,8..10`.
pub fn parse_array_counts(text: &str) -> Result<Vec<u64>, String> {
    let mut counts = Vec::new();
    let invalid = |part: &str| format!("invalid array count `{part}` in --arrays; give integers or ranges such as 2..16 or 2,4,8");
    for part in text.split(',').map(str::trim) {
        if let Some((low, high)) = part.split_once("..") {
            let low: u64 = low.trim().parse().map_err(|_| invalid(part))?;
            let high: u64 = high.trim().trim_start_matches('=').parse().map_err(|_| invalid(part))?;
            if low > high {
                return Err(format!("array range `{part}` is empty; write the smaller count first"));
            }
            if high - low >= MAX_SCENARIOS as u64 {
                return Err(format!("array range `{part}` has more than {MAX_SCENARIOS} counts"));
            }
            counts.extend(low..=high);
        } else {
            counts.push(part.parse().map_err(|_| invalid(part))?);
        }
    }
    if let Some(&zero) = counts.iter().find(|&&c| c == 0) {
        return Err(format!("array count {zero} is invalid; give at least 1"));
    }
    counts.sort_unstable();
    counts.dedup();
    Ok(counts)
}

/// Splits a comma-separated list at the commas outside square brackets, so
/// that `synchronous,[3,2,1]` gives two items.
pub fn split_list(text: &str) -> Vec<String> {
    crate::workload::split_outside_brackets(text)
}

/// Parses a list of delay policies; see [`DelayPolicy::parse_list`].
pub fn parse_delay_policies(text: &str) -> Result<Vec<DelayPolicy>, String> {
    DelayPolicy::parse_list(text)
}

/// Whether a YAML file is a problem file (it has `network`, `tasks` or
/// `stg`) rather than a model file (it has `layers`).
fn is_problem_file(path: &Path) -> Result<bool, InputError> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("stg")) {
        return Err(InputError::new(path, "a sweep takes YAML files; reference the STG file from a YAML problem with `stg` and `processors`"));
    }
    let text = crate::problem::read_text(path)?;
    let value: serde_yaml::Value = crate::problem::parse_yaml(path, &text)?;
    let mapping = value
        .as_mapping()
        .ok_or_else(|| InputError::new(path, "expected a model (with `layers`) or a problem (with `network`, `tasks` or `stg`)"))?;
    let has = |key: &str| mapping.contains_key(key);
    if has("network") || has("tasks") || has("stg") {
        Ok(true)
    } else if has("layers") {
        Ok(false)
    } else {
        Err(InputError::new(path, "neither a model (no `layers`) nor a problem (no `network`, `tasks` or `stg`); check the file"))
    }
}

/// Builds every scenario: each model file at every grid point, then each
/// problem file as written. Any invalid file or grid point is an error, so a
/// sweep fails before it solves anything.
pub fn build_scenarios(files: &[PathBuf], grid: &Grid) -> Result<Vec<Scenario>, InputError> {
    let mut scenarios = Vec::new();
    for path in files {
        if is_problem_file(path)? {
            scenarios.push(problem_file_scenario(path)?);
            continue;
        }
        let model = ModelSpec::parse(path, &crate::problem::read_text(path)?)?;
        for &count in &grid.array_counts {
            for policy in &grid.delays {
                for tiling in &grid.tilings {
                    scenarios.push(model_scenario(path, &model, count, policy, *tiling, grid)?);
                    if scenarios.len() > MAX_SCENARIOS {
                        return Err(InputError::new(path, format!("the sweep has more than {MAX_SCENARIOS} scenarios; give fewer array counts, delays or tilings")));
                    }
                }
            }
        }
    }
    let mut names = std::collections::HashSet::new();
    for scenario in &scenarios {
        if !names.insert(scenario.problem.name.as_str()) {
            return Err(InputError::new(
                &scenario.problem.source,
                format!("two scenarios are both named `{}`; give every model and problem file of a sweep its own name, and each file once", scenario.problem.name),
            ));
        }
    }
    Ok(scenarios)
}

fn model_scenario(path: &Path, model: &ModelSpec, count: u64, policy: &DelayPolicy, tiling: TilingChoice, grid: &Grid) -> Result<Scenario, InputError> {
    let hardware = &grid.hardware;
    let mut name = format!("{}-{count}", model.name);
    if grid.delays.len() > 1 {
        name.push_str(&format!("-{}", policy.label()));
    }
    if tiling != TilingChoice::None {
        name.push_str(&format!("-{}", tiling.label().replace(':', "")));
    }
    let spec = NetworkProblemSpec {
        name,
        network: NetworkRef::Inline(Box::new(model.clone())),
        batch: grid.batch,
        timesteps: grid.timesteps,
        arrays: OneOrMany(vec![ArrayGroupSpec {
            count,
            rows: hardware.rows,
            cols: hardware.cols,
            dataflow: hardware.dataflow.clone(),
            vector_lanes: Some(hardware.vector_lanes),
        }]),
        link: hardware.link,
        value_bits: None,
        update_ops_per_weight: None,
        gradient_delay: Some(DelaySpec(policy.clone())),
        objective: grid.objective.clone(),
        iterations: grid.iterations,
        tiling: tiling.spec(),
    };
    let problem = build_network_problem(path, &spec)?;
    crate::graph::check_zero_distance_cycles(&problem).map_err(|error| InputError::new(path, error.to_string()))?;
    Ok(Scenario {
        network: model.name.clone(),
        origin: Origin::Model,
        arrays: problem.array_count(),
        array_sizes: array_sizes(&problem),
        delays: policy.label(),
        tiling: tiling.label(),
        problem,
    })
}

fn problem_file_scenario(path: &Path) -> Result<Scenario, InputError> {
    let problem = crate::problem::load(path, Default::default())?;
    let delays = match &problem.network {
        Some(context) => delay_label(&context.delays),
        None => "-".into(),
    };
    let tiling = if problem.tasks.iter().any(|t| t.layer.is_some() && t.name.contains('.')) { "file" } else { "none" };
    Ok(Scenario {
        network: problem.name.clone(),
        origin: Origin::ProblemFile,
        arrays: problem.array_count(),
        array_sizes: array_sizes(&problem),
        delays,
        tiling: tiling.into(),
        problem,
    })
}

/// Names a network problem's per-layer delays (0 marks a pool) as its policy
/// where one matches.
fn delay_label(layer_delays: &[u32]) -> String {
    let weighted: Vec<u32> = layer_delays.iter().copied().filter(|&d| d > 0).collect();
    let pipedream: Vec<u32> = (1..=weighted.len() as u32).rev().collect();
    if weighted.iter().all(|&d| d == 1) {
        "synchronous".into()
    } else if weighted == pipedream {
        "pipedream".into()
    } else {
        format!("[{}]", weighted.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
    }
}

/// `128x128` for identical arrays, else the groups in order:
/// `4x128x128+4x64x64`; `-` for task-graph processors.
fn array_sizes(problem: &Problem) -> String {
    let mut groups: Vec<(usize, String)> = Vec::new();
    for array in &problem.arrays {
        let size = array.map_or("-".to_string(), |a| format!("{}x{}", a.rows, a.cols));
        match groups.last_mut() {
            Some((count, last)) if *last == size => *count += 1,
            _ => groups.push((1, size)),
        }
    }
    if groups.len() == 1 {
        return groups.remove(0).1;
    }
    groups.iter().map(|(count, size)| format!("{count}x{size}")).collect::<Vec<_>>().join("+")
}

/// One scheduler's result on one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub network: String,
    pub problem: String,
    pub origin: Origin,
    pub arrays: usize,
    pub array_sizes: String,
    pub delays: String,
    pub tiling: String,
    pub tasks: usize,
    pub scheduler: String,
    pub objective: String,
    /// `optimal`, `feasible`, `infeasible`, `timeout`, or `error` when the
    /// run failed.
    pub status: String,
    pub value: Option<u64>,
    pub lower_bound: Option<u64>,
    pub gap: Option<f64>,
    pub speedup: Option<f64>,
    pub utilization: Option<f64>,
    pub inter_array_bytes: Option<f64>,
    pub comm_overhead: Option<f64>,
    pub seconds: f64,
}

impl SweepRow {
    fn base(scenario: &Scenario, scheduler: &str) -> SweepRow {
        SweepRow {
            network: scenario.network.clone(),
            problem: scenario.problem.name.clone(),
            origin: scenario.origin,
            arrays: scenario.arrays,
            array_sizes: scenario.array_sizes.clone(),
            delays: scenario.delays.clone(),
            tiling: scenario.tiling.clone(),
            tasks: scenario.problem.tasks.len(),
            scheduler: scheduler.into(),
            objective: scenario.problem.objective.name().into(),
            status: "error".into(),
            value: None,
            lower_bound: None,
            gap: None,
            speedup: None,
            utilization: None,
            inter_array_bytes: None,
            comm_overhead: None,
            seconds: 0.0,
        }
    }

    /// Returns the row of a finished run. `metrics` exist when it found a schedule,
    /// which the caller has validated.
    pub fn from_run(scenario: &Scenario, outcome: &Outcome, metrics: Option<&Metrics>) -> SweepRow {
        SweepRow {
            status: outcome.status.name().into(),
            value: metrics.map(|m| m.value),
            lower_bound: Some(outcome.lower_bound),
            gap: metrics.map(|m| m.gap),
            speedup: metrics.and_then(|m| m.speedup),
            utilization: metrics.map(|m| m.utilization),
            inter_array_bytes: metrics.map(|m| m.inter_array_bytes),
            comm_overhead: metrics.and_then(|m| m.comm_overhead),
            seconds: outcome.seconds,
            ..SweepRow::base(scenario, outcome.scheduler.name())
        }
    }

    /// Returns the row of a run that failed; the caller logs the error.
    pub fn failed(scenario: &Scenario, scheduler: SchedulerKind) -> SweepRow {
        SweepRow::base(scenario, scheduler.name())
    }

    /// Whether the run produced a schedule.
    pub fn has_schedule(&self) -> bool {
        self.value.is_some()
    }
}

/// The schedulers that apply to `problem`, in the order given.
pub fn applicable(kinds: &[SchedulerKind], problem: &Problem) -> Vec<SchedulerKind> {
    kinds.iter().copied().filter(|&k| crate::sched::applies(k, problem)).collect()
}

#[cfg(test)]
mod tests;
