//! Building a problem from a network: expand the array groups, build the
//! training workload and cost every task on every array.

use super::load::{check_processors, parse_objective, MAX_TASKS, MAX_VALUE};
use super::spec::{LinkSpec, NetworkProblemSpec, NetworkRef, TilingSpec};
use super::{Edge, NetworkContext, Objective, Problem, Task};
use crate::cost::{ArraySpec, Dataflow, Link};
use crate::error::InputError;
use crate::model::{Network, MAX_DIMENSION};
use crate::workload::{build_workload, tile_workload, Split, TilingPlan, WorkloadSettings};
use std::path::Path;

pub(super) fn check_link(path: &Path, link: LinkSpec) -> Result<Link, InputError> {
    if link.bytes_per_cycle == 0 {
        return Err(InputError::new(path, "link `bytes_per_cycle` is 0; give a positive bandwidth, or remove `link` for free transfers"));
    }
    if link.latency_cycles > MAX_VALUE || link.bytes_per_cycle > MAX_VALUE {
        return Err(InputError::new(path, format!("link values must be at most {MAX_VALUE}")));
    }
    Ok(Link { latency_cycles: link.latency_cycles, bytes_per_cycle: link.bytes_per_cycle })
}

fn parse_dataflow(path: &Path, name: &str) -> Result<Dataflow, InputError> {
    match name {
        "output-stationary" | "os" => Ok(Dataflow::OutputStationary),
        "weight-stationary" | "ws" => Ok(Dataflow::WeightStationary),
        "input-stationary" | "is" => Ok(Dataflow::InputStationary),
        other => Err(InputError::new(
            path,
            format!("unknown dataflow `{other}`; use output-stationary, weight-stationary or input-stationary"),
        )),
    }
}

/// Converts the `tiling:` entry of a problem file into a checked plan.
pub fn resolve_tiling(path: &Path, network: &Network, spec: &TilingSpec) -> Result<TilingPlan, InputError> {
    let fail = |message: String| InputError::new(path, message);
    let parse_split = |text: &str| text.parse::<Split>().map_err(|e| fail(format!("tiling: {e}")));
    let whole = match (&spec.split, spec.tiles) {
        (Some(split), Some(tiles)) => Some((parse_split(split)?, tiles)),
        (None, None) => None,
        (Some(_), None) => return Err(fail("tiling: `split` needs `tiles`; add `tiles: N`".into())),
        (None, Some(_)) => return Err(fail("tiling: `tiles` needs `split`; add `split: time` or `split: channels`".into())),
    };
    let mut per_layer = Vec::with_capacity(spec.layers.len());
    for (&layer, entry) in &spec.layers {
        per_layer.push((layer, parse_split(&entry.split)?, entry.tiles));
    }
    if whole.is_none() && per_layer.is_empty() {
        return Err(fail("tiling: give `split` and `tiles`, or per-layer entries under `layers`, or remove `tiling`".into()));
    }
    TilingPlan::resolve(network, whole, &per_layer).map_err(fail)
}

/// Reports an unreadable file that a problem names at the problem file, with
/// the path as written and as resolved.
pub(super) fn referenced_file_error(problem: &Path, key: &str, written: &str, error: InputError) -> InputError {
    InputError::new(
        problem,
        format!("`{key}: {written}` (resolved relative to the problem file as {}): {}", error.path.display(), error.message),
    )
}

/// Builds a network problem from its parsed file.
pub fn build_network_problem(path: &Path, spec: &NetworkProblemSpec) -> Result<Problem, InputError> {
    let mut model = match &spec.network {
        NetworkRef::Path(file) => {
            let model_path = path.parent().unwrap_or(Path::new(".")).join(file);
            let text = super::read_text(&model_path).map_err(|e| referenced_file_error(path, "network", file, e))?;
            let model = crate::model::ModelSpec::parse(&model_path, &text)?;
            (model, model_path)
        }
        NetworkRef::Inline(model) => ((**model).clone(), path.to_path_buf()),
    };
    if let Some(batch) = spec.batch {
        model.0.batch = Some(batch);
    }
    if let Some(timesteps) = spec.timesteps {
        model.0.timesteps = Some(timesteps);
    }
    let overridden = spec.batch.is_some() || spec.timesteps.is_some();
    let network = Network::from_spec(&model.1, &model.0).map_err(|mut error| {
        // A layer too large for the batch or timesteps of the problem file
        // is reported at the model, so name the values and where they come from.
        if overridden && error.path != path {
            error.message = format!(
                "{} (with batch {} and timesteps {} as set in {})",
                error.message,
                model.0.batch.unwrap_or(0),
                model.0.timesteps.unwrap_or(0),
                path.display()
            );
        }
        error
    })?;

    let mut arrays = Vec::new();
    for group in &spec.arrays.0 {
        let dataflow = parse_dataflow(path, &group.dataflow)?;
        for (what, value) in [("count", group.count), ("rows", group.rows), ("cols", group.cols)] {
            if value == 0 || value > MAX_DIMENSION {
                return Err(InputError::new(path, format!("array `{what}` is {value}; give an integer from 1 to {MAX_DIMENSION}")));
            }
        }
        let vector_lanes = group.vector_lanes.unwrap_or(group.cols);
        if vector_lanes == 0 || vector_lanes > MAX_DIMENSION {
            return Err(InputError::new(path, format!("array `vector_lanes` is {vector_lanes}; give an integer from 1 to {MAX_DIMENSION}")));
        }
        for _ in 0..group.count.min(crate::problem::load::MAX_ARRAYS + 1) {
            arrays.push(ArraySpec { rows: group.rows, cols: group.cols, dataflow, vector_lanes });
        }
    }
    if arrays.is_empty() {
        return Err(InputError::new(path, "`arrays` is empty; give at least one array group"));
    }
    check_processors(path, arrays.len() as u64)?;

    let link = spec.link.map(|l| check_link(path, l)).transpose()?;
    let objective = parse_objective(path, spec.objective.as_deref(), spec.iterations)?;
    let value_bits = spec.value_bits.unwrap_or(16);
    if value_bits == 0 || value_bits > 64 {
        return Err(InputError::new(path, format!("`value_bits` is {value_bits}; give an integer from 1 to 64")));
    }
    let update_ops_per_weight = spec.update_ops_per_weight.unwrap_or(10);
    if update_ops_per_weight > 1_000_000 {
        return Err(InputError::new(path, format!("`update_ops_per_weight` is {update_ops_per_weight}; give at most 1000000")));
    }
    for (index, layer) in network.layers.iter().enumerate() {
        let update_ops = layer.weights().checked_mul(update_ops_per_weight).filter(|&ops| ops <= crate::model::MAX_WORKLOAD);
        if update_ops.is_none() {
            return Err(InputError::new(
                path,
                format!(
                    "layer {} has {} weights, and {update_ops_per_weight} update operations per weight exceed 2^60 operations; lower `update_ops_per_weight` or the layer size",
                    index + 1,
                    layer.weights()
                ),
            ));
        }
    }
    let policy = spec.gradient_delay.as_ref().map(|d| d.0.clone()).unwrap_or_default();
    let weighted = network.weighted_layers();
    let delays = policy.resolve(weighted.len()).map_err(|message| InputError::new(path, message))?;

    let settings = WorkloadSettings { value_bits, update_ops_per_weight, delays: delays.clone() };
    let plan = match &spec.tiling {
        Some(tiling) => resolve_tiling(path, &network, tiling)?,
        None => TilingPlan::untiled(network.layers.len()),
    };
    let workload = tile_workload(&network, &settings, &build_workload(&network, &settings), &plan)
        .map_err(|message| InputError::new(path, message))?;
    if workload.tasks.len() > MAX_TASKS {
        return Err(InputError::new(
            path,
            format!(
                "the network's {} layers make {} tasks, above the supported maximum of {MAX_TASKS}; use fewer layers",
                network.layers.len(),
                workload.tasks.len()
            ),
        ));
    }
    if let Objective::Makespan { iterations } = objective {
        if workload.tasks.len() as u64 * u64::from(iterations) > MAX_TASKS as u64 {
            return Err(InputError::new(path, format!("{iterations} iterations of {} tasks exceed {MAX_TASKS} task copies; lower `iterations`", workload.tasks.len())));
        }
    }
    let mut tasks = Vec::with_capacity(workload.tasks.len());
    for t in &workload.tasks {
        let durations: Vec<u64> = arrays.iter().map(|a| a.task_cycles(t.gemm, t.elementwise_ops)).collect();
        if let Some(&too_long) = durations.iter().find(|&&d| d > MAX_VALUE) {
            return Err(InputError::new(
                path,
                format!("task {} takes {too_long} cycles, above the supported maximum {MAX_VALUE}; use a smaller batch, timestep count or layer", t.name()),
            ));
        }
        tasks.push(Task {
            name: t.name(),
            layer: Some(t.layer),
            kind: Some(t.kind),
            gemm: t.gemm.map(|g| (g.m, g.k, g.n)),
            durations,
        });
    }
    let edges = workload
        .edges
        .iter()
        .map(|e| Edge { from: e.from, to: e.to, distance: e.distance, bytes: e.bytes })
        .collect();

    let mut layer_delays = vec![0; network.layers.len()];
    for (layer, delay) in weighted.iter().zip(&delays) {
        layer_delays[layer - 1] = *delay;
    }
    Ok(Problem {
        name: spec.name.clone(),
        source: path.to_path_buf(),
        arrays: arrays.into_iter().map(Some).collect(),
        tasks,
        edges: Problem::merge_parallel_edges(edges),
        link,
        objective,
        network: Some(NetworkContext { network, training_bytes: workload.training_bytes, delays: layer_delays }),
    })
}
