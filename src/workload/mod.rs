//! Training workload of one iteration: the tasks of every layer, their GEMM
//! shapes and elementwise operation counts, and the dependency edges with
//! their iteration distances and bytes.
//!
//! With B the batch and T the timesteps, every F, B and W of a weighted layer
//! contains one GEMM over the whole minibatch and all timesteps (convolutions
//! as im2col). Elementwise counts per element of one sample at one timestep,
//! multiplied by B·T:
//! - F of a weighted layer: 3 per input element (the synapse filter) and 4 per
//!   output element (the neuron); F of a pool: kernel² per output element; F
//!   of the last layer adds 5 per output element for the loss and its
//!   surrogate gradient.
//! - B of a weighted layer: 3 per input element (the filter run backwards); B
//!   of a pool: 1 per input element; either adds 5 per input element when the
//!   layer below is weighted (its surrogate gradient and reset path).
//! - W: none. U: `update_ops_per_weight` per weight, not scaled by B·T.

mod delay;
pub mod tiling;

pub use delay::{delay_limit, split_outside_brackets, DelayPolicy, MAX_DELAY};
pub use tiling::{tile_workload, LayerTiling, Split, Tile, TilingPlan};

use crate::cost::Gemm;
use crate::model::{Layer, Network};
use serde::Serialize;

/// Kind of a training task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TaskKind {
    /// Forward pass.
    F,
    /// Error propagated to the previous layer.
    B,
    /// Weight gradient.
    W,
    /// Weight update.
    U,
}

impl TaskKind {
    pub const ALL: [TaskKind; 4] = [TaskKind::F, TaskKind::B, TaskKind::W, TaskKind::U];

    pub fn letter(&self) -> char {
        match self {
            TaskKind::F => 'F',
            TaskKind::B => 'B',
            TaskKind::W => 'W',
            TaskKind::U => 'U',
        }
    }

    pub fn description(&self) -> &'static str {
        match self {
            TaskKind::F => "forward",
            TaskKind::B => "activation gradient",
            TaskKind::W => "weight gradient",
            TaskKind::U => "weight update",
        }
    }
}

/// One training task of one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingTask {
    /// 1-based layer number.
    pub layer: usize,
    pub kind: TaskKind,
    pub gemm: Option<Gemm>,
    pub elementwise_ops: u64,
    /// Which tile of its layer the task is; `None` when the layer is untiled.
    pub tile: Option<Tile>,
}

impl TrainingTask {
    /// `F1`, `B2`, ...; tiles add their 1-based number: `F3.2`.
    pub fn name(&self) -> String {
        match self.tile {
            Some(tile) => format!("{}{}.{}", self.kind.letter(), self.layer, tile.index + 1),
            None => format!("{}{}", self.kind.letter(), self.layer),
        }
    }
}

/// What an edge carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Output spikes, one bit per element.
    Spikes,
    /// Error gradients, `value_bits` per element.
    Gradients,
    /// Filtered inputs saved by F for W.
    FilteredInputs,
    /// Weight gradients from W to U.
    WeightGradients,
    /// Updated weights from U to the next forward pass.
    Weights,
    /// Neuron and filter state carried between consecutive time tiles.
    State,
}

/// A dependency between two tasks (indices into [`Workload::tasks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingEdge {
    pub from: usize,
    pub to: usize,
    pub distance: u32,
    pub payload: Payload,
    /// Elements carried, over the whole minibatch and all timesteps.
    pub elements: u64,
    pub bytes: u64,
}

/// Parameters of the workload that the network file does not fix.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSettings {
    pub value_bits: u64,
    pub update_ops_per_weight: u64,
    /// Gradient delay of each weighted layer, input to output.
    pub delays: Vec<u32>,
}

/// Tasks and edges of one training iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub tasks: Vec<TrainingTask>,
    pub edges: Vec<TrainingEdge>,
    /// Bytes read and written per iteration: (M·K + K·N + M·N) elements per
    /// GEMM and 3 elements per weight for each U, at `value_bits` each.
    pub training_bytes: u64,
}

/// Bytes of `elements` values of `bits` bits, rounded up to whole bytes.
pub fn bytes_of(elements: u64, bits: u64) -> u64 {
    elements.saturating_mul(bits).div_ceil(8)
}

/// Builds the training tasks and edges of `network`. `settings.delays` must
/// have one entry per weighted layer.
pub fn build_workload(network: &Network, settings: &WorkloadSettings) -> Workload {
    let bt = network.batch * network.timesteps;
    let layer_count = network.layers.len();
    let mut tasks = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut add = |tasks: &mut Vec<TrainingTask>, task: TrainingTask| {
        index.insert((task.layer, task.kind), tasks.len());
        tasks.push(task);
    };

    for l in 1..=layer_count {
        let layer = network.layer(l);
        let below_weighted = l >= 2 && network.layer(l - 1).is_weighted();
        let input = layer.input_elements();
        let output = layer.output_elements();
        let mut forward_ops = match layer {
            Layer::Pool { kernel, .. } => kernel * kernel * output,
            _ => 3 * input + 4 * output,
        };
        if l == layer_count {
            forward_ops += 5 * output;
        }
        add(&mut tasks, TrainingTask { layer: l, kind: TaskKind::F, gemm: forward_gemm(layer, bt), elementwise_ops: forward_ops * bt, tile: None });
        if l >= 2 {
            let mut backward_ops = if layer.is_weighted() { 3 * input } else { input };
            if below_weighted {
                backward_ops += 5 * input;
            }
            add(&mut tasks, TrainingTask { layer: l, kind: TaskKind::B, gemm: backward_gemm(layer, bt), elementwise_ops: backward_ops * bt, tile: None });
        }
        if layer.is_weighted() {
            add(&mut tasks, TrainingTask { layer: l, kind: TaskKind::W, gemm: weight_gradient_gemm(layer, bt), elementwise_ops: 0, tile: None });
            add(&mut tasks, TrainingTask {
                layer: l,
                kind: TaskKind::U,
                gemm: None,
                elementwise_ops: settings.update_ops_per_weight * layer.weights(),
                tile: None,
            });
        }
    }

    let task = |l: usize, kind: TaskKind| index[&(l, kind)];
    let bits = settings.value_bits;
    let mut edges = Vec::new();
    let mut edge = |from: usize, to: usize, distance: u32, payload: Payload, elements: u64| {
        let bytes = match payload {
            Payload::Spikes => bytes_of(elements, 1),
            _ => bytes_of(elements, bits),
        };
        edges.push(TrainingEdge { from, to, distance, payload, elements, bytes });
    };
    let mut delays = settings.delays.iter();
    for l in 1..=layer_count {
        let layer = network.layer(l);
        let output = layer.output_elements();
        if l < layer_count {
            edge(task(l, TaskKind::F), task(l + 1, TaskKind::F), 0, Payload::Spikes, output * bt);
        }
        // The error that reaches layer l comes from the loss (computed by the
        // last forward task) or from B of the layer above.
        let error_source = if l == layer_count { task(l, TaskKind::F) } else { task(l + 1, TaskKind::B) };
        if l >= 2 {
            edge(error_source, task(l, TaskKind::B), 0, Payload::Gradients, output * bt);
        }
        if layer.is_weighted() {
            edge(error_source, task(l, TaskKind::W), 0, Payload::Gradients, output * bt);
            edge(task(l, TaskKind::F), task(l, TaskKind::W), 0, Payload::FilteredInputs, layer.input_elements() * bt);
            edge(task(l, TaskKind::W), task(l, TaskKind::U), 0, Payload::WeightGradients, layer.weights());
            let delay = *delays.next().expect("one delay per weighted layer");
            edge(task(l, TaskKind::U), task(l, TaskKind::F), delay, Payload::Weights, layer.weights());
        }
    }

    let mut training_elements: u64 = 0;
    for t in &tasks {
        if let Some(g) = t.gemm {
            training_elements = training_elements.saturating_add(g.m * g.k + g.k * g.n + g.m * g.n);
        }
        if t.kind == TaskKind::U {
            training_elements = training_elements.saturating_add(3 * network.layer(t.layer).weights());
        }
    }
    Workload { tasks, edges, training_bytes: bytes_of(training_elements, bits) }
}

fn forward_gemm(layer: &Layer, bt: u64) -> Option<Gemm> {
    match layer {
        Layer::Fc { inputs, outputs } => Some(Gemm { m: bt, k: *inputs, n: *outputs }),
        Layer::Conv { input, output, kernel, .. } => Some(Gemm {
            m: bt * output.height * output.width,
            k: input.channels * kernel * kernel,
            n: output.channels,
        }),
        Layer::Pool { .. } => None,
    }
}

fn backward_gemm(layer: &Layer, bt: u64) -> Option<Gemm> {
    match layer {
        Layer::Fc { inputs, outputs } => Some(Gemm { m: bt, k: *outputs, n: *inputs }),
        Layer::Conv { input, output, kernel, .. } => Some(Gemm {
            m: bt * input.height * input.width,
            k: output.channels * kernel * kernel,
            n: input.channels,
        }),
        Layer::Pool { .. } => None,
    }
}

fn weight_gradient_gemm(layer: &Layer, bt: u64) -> Option<Gemm> {
    match layer {
        Layer::Fc { inputs, outputs } => Some(Gemm { m: *inputs, k: bt, n: *outputs }),
        Layer::Conv { input, output, kernel, .. } => Some(Gemm {
            m: input.channels * kernel * kernel,
            k: bt * output.height * output.width,
            n: output.channels,
        }),
        Layer::Pool { .. } => None,
    }
}

#[cfg(test)]
mod tests;
