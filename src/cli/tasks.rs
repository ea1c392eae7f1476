//! `spikepipe tasks`: the training tasks of a problem with their GEMM shapes,
//! cycles on each array and bytes.

use super::{load_problem, CliError, ProblemArgs};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Problem file (.yaml, or .stg with --processors).
    file: PathBuf,
    #[command(flatten)]
    problem: ProblemArgs,
    /// Print a JSON list instead of a table.
    #[arg(long)]
    json: bool,
}

/// One row of the task table.
#[derive(Debug, Serialize)]
struct TaskRow {
    task: String,
    layer: Option<usize>,
    kind: Option<char>,
    m: Option<u64>,
    k: Option<u64>,
    n: Option<u64>,
    /// Cycles on array 0.
    cycles: u64,
    cycles_by_array: Vec<u64>,
    /// Bytes the task sends on its outgoing edges per iteration.
    bytes_out: u64,
    /// Bytes the task receives on its incoming edges per iteration.
    bytes_in: u64,
}

pub fn run(args: &TasksArgs) -> Result<i32, CliError> {
    let problem = load_problem(&args.file, &args.problem)?;
    // One pass over the edges: a filter per task took minutes on 100,000 tasks.
    let mut bytes_out = vec![0u64; problem.tasks.len()];
    let mut bytes_in = vec![0u64; problem.tasks.len()];
    for edge in &problem.edges {
        bytes_out[edge.from] = bytes_out[edge.from].saturating_add(edge.bytes);
        bytes_in[edge.to] = bytes_in[edge.to].saturating_add(edge.bytes);
    }
    let rows: Vec<TaskRow> = problem
        .tasks
        .iter()
        .enumerate()
        .map(|(index, task)| TaskRow {
            task: task.name.clone(),
            layer: task.layer,
            kind: task.kind.map(|k| k.letter()),
            m: task.gemm.map(|g| g.0),
            k: task.gemm.map(|g| g.1),
            n: task.gemm.map(|g| g.2),
            cycles: task.durations[0],
            cycles_by_array: task.durations.clone(),
            bytes_out: bytes_out[index],
            bytes_in: bytes_in[index],
        })
        .collect();
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&rows).expect("task rows serialize")))?;
        return Ok(0);
    }
    let dash = || "-".to_string();
    let show = |v: Option<u64>| v.map_or_else(dash, |v| v.to_string());
    let mut table = vec![vec![
        "task".to_string(), "layer".into(), "kind".into(), "m".into(), "k".into(), "n".into(),
        "cycles".into(), "bytes out".into(), "bytes in".into(),
    ]];
    let identical = problem.has_identical_arrays();
    if !identical {
        table[0][6] = "cycles by array".into();
    }
    for row in &rows {
        let cycles = if identical {
            row.cycles.to_string()
        } else {
            row.cycles_by_array.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("/")
        };
        table.push(vec![
            row.task.clone(),
            row.layer.map_or_else(dash, |l| l.to_string()),
            row.kind.map_or_else(dash, |k| k.to_string()),
            show(row.m),
            show(row.k),
            show(row.n),
            cycles,
            row.bytes_out.to_string(),
            row.bytes_in.to_string(),
        ]);
    }
    super::emit(&super::format_table(&table))?;
    Ok(0)
}
