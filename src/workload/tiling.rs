//! Task tiling: a layer's F, B and W tasks split into k tiles along its
//! timesteps or its output channels, so that one layer can spread over
//! several arrays or interleave with its neighbours.
//!
//! **Costs.** A tile is its own GEMM with one dimension cut to the tile's
//! share, so small tiles pay their own fill and drain on the array:
//!
//! | split | F | B | W |
//! |---|---|---|---|
//! | time (T timesteps) | M = B·Tₜ·Ho·Wo | M = B·Tₜ·H·W | K = B·Tₜ·Ho·Wo |
//! | channels (C output channels) | N = Cₜ | K = Cₜ·k² | N = Cₜ |
//!
//! An uneven split gives the remainder to the first tiles (10 timesteps in 4
//! tiles: 3, 3, 2, 2). GEMM multiply-accumulates of the tiles sum exactly to
//! the untiled task's. Elementwise operations and the bytes of every edge are
//! divided in proportion to each tile's share, by the rule
//! share(i) = ⌊x·end(i)/D⌋ − ⌊x·start(i)/D⌋, so they sum exactly to the
//! untiled totals. U is never tiled: it updates the whole weight matrix.
//!
//! **Dependencies.** Every task covers a region of timesteps [t₀, t₁) (all of
//! them when the layer is not time-tiled) and a share of its layer's output
//! channels (all of them when not channel-tiled). An untiled edge X → Y turns
//! into one edge per tile pair (Xᵢ, Yⱼ) whose timestep ranges overlap, with the
//! same distance and payload; its bytes are the untiled bytes times
//! |overlap|/T times the channel shares of both ends. So with equal time
//! tiling on both sides F_l.t needs F_{l−1}.t, W_l.t needs F_l.t, and B_l.t and
//! W_l.t need error tile t. A channel tile needs every tile of a
//! channel-tiled neighbour, because a channel slice of one layer reads all
//! channels of the layer below; the one exception is the loss edge
//! F_L.c → B_L.c, W_L.c, which stays within output channel slice c.
//!
//! A tiled layer next to an untiled one (or tiled another way) connects
//! all-to-all wherever the timestep ranges overlap: the untiled task covers
//! every timestep, so every tile connects to it. U_l needs every W_l tile, and
//! U_l → F_l (distance = the layer's delay) goes to every F_l tile.
//!
//! Time tiles add carry edges, which the untiled workload does not have:
//! F_l.(t−1) → F_l.t carries the neuron and synapse-filter state of a weighted
//! layer (2 filter taps per input element and the reset filter per output
//! element, per sample), and B_l.(t+1) → B_l.t carries the state of the
//! filters run backwards (2 per input element when layer l is weighted, 1 more
//! for the reset path of a weighted layer l−1). Pools keep no state across
//! timesteps, so a pool's F tiles have no carry.
//!
//! NOTE: conserving each edge's bytes undercounts an all-to-all transfer
//! whose consumer tiles sit on different arrays, since each of them really
//! needs the producer's whole output. Communication totals stay comparable
//! with the untiled problem; communication between channel tiles is a lower
//! estimate.

use super::{bytes_of, Payload, TaskKind, TrainingEdge, TrainingTask, Workload, WorkloadSettings};
use crate::cost::Gemm;
use crate::model::{Layer, Network};
use std::fmt;

/// Largest accepted number of tiles of one layer.
pub const MAX_TILES: u64 = 1024;

/// Largest number of edges a tiled workload may have, so that all-to-all
/// connections between large tile counts stay within memory.
pub const MAX_TILED_EDGES: u64 = 2_000_000;

/// The dimension a layer's tasks are split along.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    /// Timesteps: tile t runs timesteps [t₀, t₁) of the whole minibatch.
    Time,
    /// Output channels of a conv or pool layer.
    Channels,
}

impl Split {
    pub fn name(&self) -> &'static str {
        match self {
            Split::Time => "time",
            Split::Channels => "channels",
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Split {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "time" | "timesteps" => Ok(Split::Time),
            "channels" | "channel" => Ok(Split::Channels),
            other => Err(format!("unknown tiling split `{other}`; use time or channels")),
        }
    }
}

/// The tiling of one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LayerTiling {
    pub split: Split,
    /// At least 2; one tile is no tiling.
    pub tiles: u32,
}

/// The tiling of every layer of a network; `None` leaves a layer untiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TilingPlan {
    /// Layer `l` (1-based) at `layers[l - 1]`.
    pub layers: Vec<Option<LayerTiling>>,
}

/// The position of a task among the tiles of its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    pub split: Split,
    /// 0-based; task names show it 1-based (`F3.1` is the first tile).
    pub index: u32,
    pub count: u32,
}

/// The size of the dimension that `split` divides in `layer`, or an error
/// naming why the layer cannot be split that way.
fn split_dimension(network: &Network, number: usize, split: Split) -> Result<u64, String> {
    match (split, network.layer(number)) {
        (Split::Time, _) => Ok(network.timesteps),
        (Split::Channels, Layer::Conv { output, .. } | Layer::Pool { output, .. }) => Ok(output.channels),
        (Split::Channels, Layer::Fc { .. }) => Err(format!(
            "layer {number} is fc and has no channels to split; use split: time for it"
        )),
    }
}

impl TilingPlan {
    /// No layer tiled.
    pub fn untiled(layer_count: usize) -> TilingPlan {
        TilingPlan { layers: vec![None; layer_count] }
    }

    /// Whether some layer is tiled.
    pub fn is_tiled(&self) -> bool {
        self.layers.iter().any(Option::is_some)
    }

    /// Builds and checks a plan. `whole` tiles every layer that has the split
    /// dimension (with `channels`, every conv and pool layer); `per_layer`
    /// entries (1-based layer, split, tiles) override it. Errors are one line
    /// naming the layer, the value and the fix.
    pub fn resolve(network: &Network, whole: Option<(Split, u64)>, per_layer: &[(u64, Split, u64)]) -> Result<TilingPlan, String> {
        let layer_count = network.layers.len();
        let mut plan = TilingPlan::untiled(layer_count);
        let check_count = |tiles: u64, what: &str| -> Result<(), String> {
            if tiles == 0 {
                return Err(format!("{what}: tiles is 0; give at least 1 (1 means untiled)"));
            }
            if tiles > MAX_TILES {
                return Err(format!("{what}: {tiles} tiles are above the supported maximum {MAX_TILES}"));
            }
            Ok(())
        };
        if let Some((split, tiles)) = whole {
            check_count(tiles, "tiling")?;
            for number in 1..=layer_count {
                let dimension = match split_dimension(network, number, split) {
                    Ok(dimension) => dimension,
                    // Network-wide channel tiling skips layers without channels.
                    Err(_) => continue,
                };
                if tiles > dimension {
                    return Err(format!(
                        "tiling: {tiles} {split} tiles exceed the {dimension} {} of layer {number}; use at most {dimension} tiles or tile that layer separately under `layers`",
                        dimension_noun(split)
                    ));
                }
                if tiles >= 2 {
                    plan.layers[number - 1] = Some(LayerTiling { split, tiles: tiles as u32 });
                }
            }
        }
        for &(number, split, tiles) in per_layer {
            if number == 0 || number > layer_count as u64 {
                return Err(format!(
                    "tiling: layer {number} does not exist; the network has layers 1 to {layer_count}"
                ));
            }
            let what = format!("tiling of layer {number}");
            check_count(tiles, &what)?;
            let number = number as usize;
            let dimension = split_dimension(network, number, split).map_err(|e| format!("tiling: {e}"))?;
            if tiles > dimension {
                return Err(format!(
                    "{what}: {tiles} {split} tiles exceed its {dimension} {}; use at most {dimension}",
                    dimension_noun(split)
                ));
            }
            plan.layers[number - 1] = (tiles >= 2).then_some(LayerTiling { split, tiles: tiles as u32 });
        }
        Ok(plan)
    }

    /// A short label for tables: `none`, `time:4`, or per layer `3=channels:2`.
    pub fn label(&self) -> String {
        let tiled: Vec<(usize, LayerTiling)> =
            self.layers.iter().enumerate().filter_map(|(i, t)| t.map(|t| (i + 1, t))).collect();
        if tiled.is_empty() {
            return "none".into();
        }
        let first = tiled[0].1;
        if tiled.len() == self.layers.len() && tiled.iter().all(|(_, t)| *t == first) {
            return format!("{}:{}", first.split, first.tiles);
        }
        tiled.iter().map(|(l, t)| format!("{l}={}:{}", t.split, t.tiles)).collect::<Vec<_>>().join(",")
    }
}

fn dimension_noun(split: Split) -> &'static str {
    match split {
        Split::Time => "timesteps",
        Split::Channels => "output channels",
    }
}

/// Boundaries of `tiles` near-equal parts of `total`, the remainder going to
/// the first parts: `[0, b₁, …, total]`.
pub fn tile_bounds(total: u64, tiles: u64) -> Vec<u64> {
    let base = total / tiles;
    let remainder = total % tiles;
    let mut bounds = Vec::with_capacity(tiles as usize + 1);
    let mut position = 0;
    bounds.push(0);
    for i in 0..tiles {
        position += base + u64::from(i < remainder);
        bounds.push(position);
    }
    bounds
}

/// The share of `amount` that falls in [start, end) of a whole of size
/// `whole`: ⌊amount·end/whole⌋ − ⌊amount·start/whole⌋. Shares of a partition
/// of [0, whole) sum exactly to `amount`.
pub fn proportional_share(amount: u64, start: u128, end: u128, whole: u128) -> u64 {
    let at = |position: u128| (u128::from(amount) * position / whole) as u64;
    at(end) - at(start)
}

/// The part of the iteration a task covers.
#[derive(Debug, Clone, Copy)]
struct Region {
    /// Timesteps [start, end).
    time: (u64, u64),
    /// Output channels [start, end) of `channel_total`, when channel-tiled.
    channels: Option<(u64, u64, u64)>,
    layer: usize,
}

/// Splits the tasks of `untiled` (built by [`super::build_workload`] from the
/// same network and settings) as `plan` describes. Returns an error when the tiled
/// workload would exceed the supported task or edge counts.
pub fn tile_workload(network: &Network, settings: &WorkloadSettings, untiled: &Workload, plan: &TilingPlan) -> Result<Workload, String> {
    if !plan.is_tiled() {
        return Ok(untiled.clone());
    }
    let timesteps = network.timesteps;

    // Split every task of a tiled layer (U excepted) into its tiles.
    let mut tasks: Vec<TrainingTask> = Vec::new();
    let mut regions: Vec<Region> = Vec::new();
    let mut tiles_of: Vec<Vec<usize>> = Vec::with_capacity(untiled.tasks.len());
    for task in &untiled.tasks {
        let tiling = plan.layers.get(task.layer - 1).copied().flatten().filter(|_| task.kind != TaskKind::U);
        let mut indices = Vec::new();
        match tiling {
            None => {
                indices.push(tasks.len());
                tasks.push(task.clone());
                regions.push(Region { time: (0, timesteps), channels: None, layer: task.layer });
            }
            Some(tiling) => {
                let dimension = split_dimension(network, task.layer, tiling.split)?;
                let bounds = tile_bounds(dimension, u64::from(tiling.tiles));
                for (index, pair) in bounds.windows(2).enumerate() {
                    let (start, end) = (pair[0], pair[1]);
                    indices.push(tasks.len());
                    tasks.push(tile_task(task, tiling, index as u32, start, end, dimension));
                    regions.push(match tiling.split {
                        Split::Time => Region { time: (start, end), channels: None, layer: task.layer },
                        Split::Channels => {
                            Region { time: (0, timesteps), channels: Some((start, end, dimension)), layer: task.layer }
                        }
                    });
                }
            }
        }
        tiles_of.push(indices);
    }
    if tasks.len() > crate::problem::load::MAX_TASKS {
        return Err(format!(
            "tiling makes {} tasks, above the supported maximum {}; use fewer tiles",
            tasks.len(),
            crate::problem::load::MAX_TASKS
        ));
    }
    let pair_count: u64 = untiled
        .edges
        .iter()
        .map(|e| (tiles_of[e.from].len() as u64).saturating_mul(tiles_of[e.to].len() as u64))
        .fold(0u64, u64::saturating_add);
    if pair_count > MAX_TILED_EDGES {
        return Err(format!(
            "tiling connects up to {pair_count} tile pairs, above the supported maximum {MAX_TILED_EDGES}; use fewer tiles on neighbouring layers"
        ));
    }

    let mut edges = Vec::new();
    for edge in &untiled.edges {
        split_edge(edge, &tiles_of, &regions, &tasks, timesteps, &mut edges);
    }
    add_carry_edges(network, settings, plan, &tiles_of, &untiled.tasks, &mut edges);

    // The reference traffic of training stays that of the untiled network,
    // so that communication overheads compare across tilings.
    Ok(Workload { tasks, edges, training_bytes: untiled.training_bytes })
}

/// Tile `index` of `task`, covering [start, end) of the split dimension of
/// size `dimension`.
fn tile_task(task: &TrainingTask, tiling: LayerTiling, index: u32, start: u64, end: u64, dimension: u64) -> TrainingTask {
    let size = end - start;
    // The GEMM dimension that contains the split one, as in the module table.
    let gemm = task.gemm.map(|g| {
        let cut = |value: u64| -> u64 { (u128::from(value) * u128::from(size) / u128::from(dimension)) as u64 };
        match (tiling.split, task.kind) {
            (Split::Time, TaskKind::W) => Gemm { k: cut(g.k), ..g },
            (Split::Time, _) => Gemm { m: cut(g.m), ..g },
            (Split::Channels, TaskKind::B) => Gemm { k: cut(g.k), ..g },
            (Split::Channels, _) => Gemm { n: cut(g.n), ..g },
        }
    });
    TrainingTask {
        layer: task.layer,
        kind: task.kind,
        gemm,
        elementwise_ops: proportional_share(task.elementwise_ops, start.into(), end.into(), dimension.into()),
        tile: Some(Tile { split: tiling.split, index, count: tiling.tiles }),
    }
}

/// Adds the tile edges of one untiled edge, dividing its bytes and elements
/// exactly in proportion to the weight of each connected tile pair.
fn split_edge(edge: &TrainingEdge, tiles_of: &[Vec<usize>], regions: &[Region], tasks: &[TrainingTask], timesteps: u64, out: &mut Vec<TrainingEdge>) {
    let producers = &tiles_of[edge.from];
    let consumers = &tiles_of[edge.to];
    if producers.len() == 1 && consumers.len() == 1 {
        out.push(TrainingEdge { from: producers[0], to: consumers[0], ..*edge });
        return;
    }
    let channel_total = |r: &Region| r.channels.map_or(1, |(_, _, total)| total);
    let channel_share = |r: &Region| r.channels.map_or(1, |(start, end, _)| end - start);
    let (from_region, to_region) = (regions[producers[0]], regions[consumers[0]]);
    // The loss edge of a channel-tiled last layer stays within each slice.
    let matching = from_region.layer == to_region.layer
        && from_region.channels.is_some()
        && to_region.channels.is_some()
        && tasks[producers[0]].kind == TaskKind::F
        && edge.payload == Payload::Gradients;

    // Weight of pair (i, j) over the common denominator
    // T · C_producer · C_consumer; the weights of all pairs sum to it.
    let denominator =
        u128::from(timesteps) * u128::from(channel_total(&from_region)) * u128::from(channel_total(&to_region));
    let mut pairs: Vec<(usize, usize, u128)> = Vec::new();
    for &i in producers {
        for &j in consumers {
            let (p, q) = (&regions[i], &regions[j]);
            let overlap = p.time.1.min(q.time.1).saturating_sub(p.time.0.max(q.time.0));
            if overlap == 0 {
                continue;
            }
            let weight = if matching {
                if p.channels != q.channels {
                    continue;
                }
                u128::from(overlap) * u128::from(channel_share(p)) * u128::from(channel_total(q))
            } else {
                u128::from(overlap) * u128::from(channel_share(p)) * u128::from(channel_share(q))
            };
            pairs.push((i, j, weight));
        }
    }
    let mut cumulative: u128 = 0;
    for (i, j, weight) in pairs {
        let next = cumulative + weight;
        out.push(TrainingEdge {
            from: i,
            to: j,
            distance: edge.distance,
            payload: edge.payload,
            elements: proportional_share(edge.elements, cumulative, next, denominator),
            bytes: proportional_share(edge.bytes, cumulative, next, denominator),
        });
        cumulative = next;
    }
    debug_assert_eq!(cumulative, denominator, "tile pair weights must partition the edge");
}

/// Adds the state carried between consecutive time tiles of F (forward in
/// time) and B (backward in time).
fn add_carry_edges(
    network: &Network,
    settings: &WorkloadSettings,
    plan: &TilingPlan,
    tiles_of: &[Vec<usize>],
    untiled_tasks: &[TrainingTask],
    out: &mut Vec<TrainingEdge>,
) {
    for (original, task) in untiled_tasks.iter().enumerate() {
        let Some(LayerTiling { split: Split::Time, .. }) = plan.layers[task.layer - 1] else { continue };
        let layer = network.layer(task.layer);
        let below_weighted = task.layer >= 2 && network.layer(task.layer - 1).is_weighted();
        let per_sample = match task.kind {
            TaskKind::F if layer.is_weighted() => 2 * layer.input_elements() + layer.output_elements(),
            TaskKind::B => {
                let filter = if layer.is_weighted() { 2 * layer.input_elements() } else { 0 };
                let reset = if below_weighted { layer.input_elements() } else { 0 };
                filter + reset
            }
            _ => continue,
        };
        if per_sample == 0 {
            continue;
        }
        let elements = per_sample.saturating_mul(network.batch);
        let bytes = bytes_of(elements, settings.value_bits);
        let tiles = &tiles_of[original];
        for pair in tiles.windows(2) {
            let (from, to) = match task.kind {
                TaskKind::F => (pair[0], pair[1]),
                _ => (pair[1], pair[0]),
            };
            out.push(TrainingEdge { from, to, distance: 0, payload: Payload::State, elements, bytes });
        }
    }
}

#[cfg(test)]
mod tests;
