//! Scheduling problems: the validated, solver-ready form of a problem file.
//!
//! Every problem, whether built from a network or given as a task graph, ends
//! up as the same [`Problem`]: tasks with a duration on each array, dependency
//! edges with an iteration distance and bytes, the arrays, the link and the
//! objective. The schedulers and the validator see nothing else.

pub mod fields;
pub mod load;
mod network;
mod spec;
pub mod stg;

pub use load::{build, load, parse_objective, parse_problem_spec, parse_yaml, read_text, stg_problem, LoadOptions};
pub use network::{build_network_problem, resolve_tiling};
pub use spec::{
    ArrayGroupSpec, DelaySpec, LayerTilingSpec, LinkSpec, NetworkProblemSpec, NetworkRef, OneOrMany, ProblemSpec, TaskGraphSpec,
    TilingSpec,
};

use crate::cost::{ArraySpec, Link};
use crate::workload::TaskKind;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The quantity a schedule minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Cycles between the starts of consecutive iterations in steady state.
    Period,
    /// End of the last task of `iterations` unrolled iterations.
    Makespan { iterations: u32 },
}

impl Objective {
    pub fn name(&self) -> &'static str {
        match self {
            Objective::Period => "period",
            Objective::Makespan { .. } => "makespan",
        }
    }
}

/// One task: a node of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// `F1`, `B2`, ... for network problems; the file's id for task graphs.
    pub name: String,
    /// Layer number (1-based) for network problems.
    pub layer: Option<usize>,
    pub kind: Option<TaskKind>,
    /// GEMM shape (m, k, n) where the task contains one.
    pub gemm: Option<(u64, u64, u64)>,
    /// Duration in cycles on each array, indexed by array.
    pub durations: Vec<u64>,
}

/// A dependency `from → to`: copy `i + distance` of `to` waits for copy `i`
/// of `from`, plus a transfer of `bytes` when they run on different arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub distance: u32,
    pub bytes: u64,
}

/// The network a problem came from, for the standard-pipelining baseline and
/// the communication metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkContext {
    pub network: crate::model::Network,
    /// Bytes read and written per iteration by all tasks.
    pub training_bytes: u64,
    /// Gradient delay of each layer (1-based layer `l` at `delays[l - 1]`; 0
    /// for pools).
    pub delays: Vec<u32>,
}

/// A validated scheduling problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub name: String,
    /// The file it was read from.
    pub source: PathBuf,
    /// One entry per array; task-graph problems have identical processors
    /// and no array geometry.
    pub arrays: Vec<Option<ArraySpec>>,
    pub tasks: Vec<Task>,
    /// Edges with parallel duplicates (same ends and distance) merged.
    pub edges: Vec<Edge>,
    /// Absent: every transfer is free.
    pub link: Option<Link>,
    pub objective: Objective,
    pub network: Option<NetworkContext>,
}

impl Problem {
    pub fn array_count(&self) -> usize {
        self.arrays.len()
    }

    pub fn duration(&self, task: usize, array: usize) -> u64 {
        self.tasks[task].durations[array]
    }

    /// Returns the task's shortest duration over all arrays.
    pub fn min_duration(&self, task: usize) -> u64 {
        self.tasks[task].durations.iter().copied().min().unwrap_or(0)
    }

    /// Cycles that `edge` delays its consumer when its ends run on arrays
    /// `from_array` and `to_array`.
    pub fn comm(&self, edge: &Edge, from_array: usize, to_array: usize) -> u64 {
        if from_array == to_array {
            return 0;
        }
        match &self.link {
            Some(link) => link.transfer_cycles(edge.bytes),
            None => 0,
        }
    }

    /// Cycles of the edge's transfer when its ends lie on different arrays.
    pub fn remote_comm(&self, edge: &Edge) -> u64 {
        self.link.as_ref().map_or(0, |link| link.transfer_cycles(edge.bytes))
    }

    /// Tests whether every array gives every task the same duration.
    pub fn has_identical_arrays(&self) -> bool {
        self.tasks.iter().all(|t| t.durations.windows(2).all(|w| w[0] == w[1]))
            && self.arrays.windows(2).all(|w| w[0] == w[1])
    }

    pub fn task_index(&self, name: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.name == name)
    }

    /// Merges edges with the same ends and distance into one transfer of
    /// their summed bytes, and sorts them.
    pub fn merge_parallel_edges(edges: Vec<Edge>) -> Vec<Edge> {
        let mut merged: BTreeMap<(usize, usize, u32), u64> = BTreeMap::new();
        for edge in edges {
            let bytes = merged.entry((edge.from, edge.to, edge.distance)).or_insert(0);
            *bytes = bytes.saturating_add(edge.bytes);
        }
        merged
            .into_iter()
            .map(|((from, to, distance), bytes)| Edge { from, to, distance, bytes })
            .collect()
    }
}
