use super::*;
use crate::model::ModelSpec;
use crate::workload::build_workload;
use std::collections::BTreeMap;
use std::path::Path;

fn network(yaml: &str) -> Network {
    let path = Path::new("m.yaml");
    Network::from_spec(path, &ModelSpec::parse(path, yaml).unwrap()).unwrap()
}

/// 784-500-10 MLP, 25 timesteps, batch 64.
fn mlp() -> Network {
    network("name: mlp\ninput: [784]\ntimesteps: 25\nbatch: 64\nlayers:\n- {type: fc, out: 500}\n- {type: fc, out: 10}\n")
}

/// conv(2→32) on 8x8, pool, conv(32→10) as the last layer, 6 timesteps.
fn convnet() -> Network {
    network(
        "name: c\ninput: [2, 8, 8]\ntimesteps: 6\nbatch: 4\nlayers:\n\
         - {type: conv, out: 32, kernel: 3, padding: 1}\n\
         - {type: pool, kernel: 2}\n\
         - {type: conv, out: 10, kernel: 3}\n",
    )
}

fn settings(network: &Network) -> WorkloadSettings {
    let weighted = network.weighted_layers().len();
    WorkloadSettings { value_bits: 16, update_ops_per_weight: 10, delays: (1..=weighted as u32).rev().collect() }
}

fn tiled(network: &Network, whole: Option<(Split, u64)>, per_layer: &[(u64, Split, u64)]) -> (Workload, Workload) {
    let settings = settings(network);
    let untiled = build_workload(network, &settings);
    let plan = TilingPlan::resolve(network, whole, per_layer).unwrap();
    let tiled = tile_workload(network, &settings, &untiled, &plan).unwrap();
    (untiled, tiled)
}

fn task<'a>(w: &'a Workload, name: &str) -> &'a TrainingTask {
    w.tasks.iter().find(|t| t.name() == name).unwrap_or_else(|| panic!("no task {name}"))
}

fn edges_between<'a>(w: &'a Workload, from: &str, to: &str) -> Vec<&'a TrainingEdge> {
    w.edges.iter().filter(|e| w.tasks[e.from].name() == from && w.tasks[e.to].name() == to).collect()
}

/// Sums MACs and elementwise operations per (layer, kind).
fn work_by_task(w: &Workload) -> BTreeMap<(usize, TaskKind), (u64, u64)> {
    let mut sums = BTreeMap::new();
    for t in &w.tasks {
        let entry = sums.entry((t.layer, t.kind)).or_insert((0, 0));
        entry.0 += t.gemm.map_or(0, |g| g.macs());
        entry.1 += t.elementwise_ops;
    }
    sums
}

/// An untiled edge: from layer, kind, to layer, kind, distance, payload.
type EdgeKey = (usize, TaskKind, usize, TaskKind, u32, String);

/// A tiling case: network, network-wide split, per-layer splits, and the
/// expected error text.
type TilingCase = (Network, Option<(Split, u64)>, Vec<(u64, Split, u64)>, &'static str);

/// Sums bytes and elements per untiled edge, leaving out the carry edges.
fn traffic_by_edge(w: &Workload) -> BTreeMap<EdgeKey, (u64, u64)> {
    let mut sums = BTreeMap::new();
    for e in w.edges.iter().filter(|e| e.payload != Payload::State) {
        let (a, b) = (&w.tasks[e.from], &w.tasks[e.to]);
        let key = (a.layer, a.kind, b.layer, b.kind, e.distance, format!("{:?}", e.payload));
        let entry = sums.entry(key).or_insert((0, 0));
        entry.0 += e.bytes;
        entry.1 += e.elements;
    }
    sums
}

#[test]
fn bounds_give_remainder_to_first_tiles() {
    assert_eq!(tile_bounds(10, 4), vec![0, 3, 6, 8, 10]);
    assert_eq!(tile_bounds(8, 4), vec![0, 2, 4, 6, 8]);
    assert_eq!(tile_bounds(5, 1), vec![0, 5]);
}

#[test]
fn proportional_shares_sum_exactly() {
    // 1001 split over [0,3), [3,6), [6,8), [8,10) of 10.
    let shares: Vec<u64> =
        [(0, 3), (3, 6), (6, 8), (8, 10)].iter().map(|&(a, b)| proportional_share(1001, a, b, 10)).collect();
    assert_eq!(shares, vec![300, 300, 200, 201]);
    assert_eq!(shares.iter().sum::<u64>(), 1001);
}

#[test]
fn time_tile_gemms_cut_m_and_k() {
    let net = mlp();
    let (_, w) = tiled(&net, Some((Split::Time, 4)), &[]);
    // 25 timesteps in 4 tiles: 7, 6, 6, 6.
    assert_eq!(task(&w, "F1.1").gemm, Some(Gemm { m: 64 * 7, k: 784, n: 500 }));
    assert_eq!(task(&w, "F1.4").gemm, Some(Gemm { m: 64 * 6, k: 784, n: 500 }));
    assert_eq!(task(&w, "B2.2").gemm, Some(Gemm { m: 64 * 6, k: 10, n: 500 }));
    assert_eq!(task(&w, "W2.1").gemm, Some(Gemm { m: 500, k: 64 * 7, n: 10 }));
    // Elementwise work of F1 scales with the tile's timesteps.
    assert_eq!(task(&w, "F1.1").elementwise_ops, (3 * 784 + 4 * 500) * 64 * 7);
    // U is never tiled.
    assert_eq!(task(&w, "U1").tile, None);
    assert!(w.tasks.iter().all(|t| t.name() != "U1.1"));
}

#[test]
fn tile_work_sums_to_untiled() {
    for (net, whole, per_layer) in [
        (mlp(), Some((Split::Time, 4)), vec![]),
        (mlp(), None, vec![(2, Split::Time, 3)]),
        (convnet(), Some((Split::Channels, 3)), vec![]),
        (convnet(), Some((Split::Time, 4)), vec![(1, Split::Channels, 5)]),
    ] {
        let (untiled, tiled) = tiled(&net, whole, &per_layer);
        assert_eq!(work_by_task(&tiled), work_by_task(&untiled), "{whole:?} {per_layer:?}");
    }
}

#[test]
fn tile_edges_conserve_bytes() {
    for (net, whole, per_layer) in [
        (mlp(), Some((Split::Time, 4)), vec![]),
        (mlp(), None, vec![(1, Split::Time, 3)]),
        (convnet(), Some((Split::Channels, 3)), vec![]),
        (convnet(), Some((Split::Time, 4)), vec![(1, Split::Channels, 5), (3, Split::Channels, 3)]),
    ] {
        let (untiled, tiled) = tiled(&net, whole, &per_layer);
        assert_eq!(traffic_by_edge(&tiled), traffic_by_edge(&untiled), "{whole:?} {per_layer:?}");
        assert_eq!(tiled.training_bytes, untiled.training_bytes);
    }
}

#[test]
fn time_tiles_follow_their_timesteps() {
    let (_, w) = tiled(&mlp(), Some((Split::Time, 4)), &[]);
    for t in 1..=4 {
        // F_l.t needs F_{l-1}.t and no other tile of it.
        for s in 1..=4 {
            let expected = usize::from(s == t);
            assert_eq!(edges_between(&w, &format!("F1.{s}"), &format!("F2.{t}")).len(), expected, "F1.{s} → F2.{t}");
            assert_eq!(edges_between(&w, &format!("F1.{s}"), &format!("W1.{t}")).len(), expected, "F1.{s} → W1.{t}");
            // Error tile t of layer 1 comes from B2.t.
            assert_eq!(edges_between(&w, &format!("B2.{s}"), &format!("W1.{t}")).len(), expected, "B2.{s} → W1.{t}");
        }
        // The loss of tile t reaches B2.t and W2.t; F2.t also passes its
        // filtered inputs to W2.t.
        assert_eq!(edges_between(&w, &format!("F2.{t}"), &format!("B2.{t}")).len(), 1);
        let payloads: Vec<Payload> =
            edges_between(&w, &format!("F2.{t}"), &format!("W2.{t}")).iter().map(|e| e.payload).collect();
        assert_eq!(payloads, vec![Payload::Gradients, Payload::FilteredInputs]);
        // U needs every W tile; the weights reach every F tile with the delay.
        assert_eq!(edges_between(&w, &format!("W1.{t}"), "U1").len(), 1);
        let weights = edges_between(&w, "U1", &format!("F1.{t}"));
        assert_eq!(weights.len(), 1);
        assert_eq!(weights[0].distance, 2);
    }
}

#[test]
fn unequal_time_tiles_connect_by_overlap() {
    // Layer 1: 25 timesteps in 3 tiles [0,9), [9,17), [17,25); layer 2 in 2
    // tiles [0,13), [13,25).
    let (untiled, w) = tiled(&mlp(), None, &[(1, Split::Time, 3), (2, Split::Time, 2)]);
    let spikes = untiled.edges.iter().find(|e| e.payload == Payload::Spikes).unwrap().bytes;
    let expected = [("F1.1", "F2.1", 9), ("F1.2", "F2.1", 4), ("F1.2", "F2.2", 4), ("F1.3", "F2.2", 8)];
    for (from, to, overlap) in expected {
        let found = edges_between(&w, from, to);
        assert_eq!(found.len(), 1, "{from} → {to}");
        // 500 spikes x 64 samples per timestep, 1 bit each: 4000 bytes a timestep.
        assert_eq!(found[0].bytes, spikes * overlap / 25, "{from} → {to}");
    }
    assert!(edges_between(&w, "F1.1", "F2.2").is_empty());
    assert!(edges_between(&w, "F1.3", "F2.1").is_empty());
}

#[test]
fn time_tiles_carry_state() {
    let (_, w) = tiled(&mlp(), Some((Split::Time, 4)), &[]);
    for t in 1..4 {
        // Forward state moves from tile t to t+1.
        let forward = edges_between(&w, &format!("F1.{t}"), &format!("F1.{}", t + 1));
        assert_eq!(forward.len(), 1, "F1.{t} → F1.{}", t + 1);
        assert_eq!(forward[0].payload, Payload::State);
        // 2 filter taps per input and the reset filter per output, batch 64, 2 bytes each.
        assert_eq!(forward[0].bytes, (2 * 784 + 500) * 64 * 2);
        assert_eq!(forward[0].distance, 0);
        // Backward state moves from tile t+1 to t.
        let backward = edges_between(&w, &format!("B2.{}", t + 1), &format!("B2.{t}"));
        assert_eq!(backward.len(), 1, "B2.{} → B2.{t}", t + 1);
        // B2: filter taps (2 per input) and layer 1's reset path (1 per input).
        assert_eq!(backward[0].bytes, 3 * 500 * 64 * 2);
        assert!(edges_between(&w, &format!("F1.{}", t + 1), &format!("F1.{t}")).is_empty());
    }
}

#[test]
fn channel_tiles_read_all_channels_below() {
    let (_, w) = tiled(&convnet(), Some((Split::Channels, 2)), &[]);
    // Layer 1: 32 channels in 2 tiles; the pool (layer 2) too; layer 3: 10.
    assert_eq!(task(&w, "F1.1").gemm.unwrap().n, 16);
    assert_eq!(task(&w, "B3.2").gemm.unwrap().k, 5 * 9);
    assert_eq!(task(&w, "W3.1").gemm.unwrap().n, 5);
    for c in 1..=2 {
        for s in 1..=2 {
            assert_eq!(edges_between(&w, &format!("F2.{s}"), &format!("F3.{c}")).len(), 1, "F2.{s} → F3.{c}");
            assert_eq!(edges_between(&w, &format!("B3.{s}"), &format!("B2.{c}")).len(), 1, "B3.{s} → B2.{c}");
        }
        // The loss edge stays within the slice of output channels.
        assert_eq!(edges_between(&w, &format!("F3.{c}"), &format!("B3.{c}")).len(), 1);
        let across = edges_between(&w, &format!("F3.{c}"), &format!("W3.{}", 3 - c));
        assert!(across.iter().all(|e| e.payload == Payload::FilteredInputs), "{across:?}");
    }
    // No carry between channel tiles.
    assert!(w.edges.iter().all(|e| e.payload != Payload::State));
}

#[test]
fn tiled_layer_meets_untiled_neighbour_all_to_all() {
    let (_, w) = tiled(&mlp(), None, &[(1, Split::Time, 3)]);
    for t in 1..=3 {
        assert_eq!(edges_between(&w, &format!("F1.{t}"), "F2").len(), 1);
        assert_eq!(edges_between(&w, "B2", &format!("W1.{t}")).len(), 1);
    }
    assert!(w.tasks.iter().any(|t| t.name() == "F2"));
}

#[test]
fn invalid_tilings_are_rejected() {
    let cases: Vec<TilingCase> = vec![
        (mlp(), Some((Split::Time, 0)), vec![], "tiles is 0"),
        (mlp(), Some((Split::Time, 26)), vec![], "exceed the 25 timesteps"),
        (mlp(), None, vec![(1, Split::Channels, 2)], "layer 1 is fc and has no channels"),
        (mlp(), None, vec![(3, Split::Time, 2)], "layer 3 does not exist"),
        (convnet(), None, vec![(3, Split::Channels, 11)], "exceed its 10 output channels"),
        (convnet(), Some((Split::Channels, 11)), vec![], "layer 3"),
    ];
    for (net, whole, per_layer, expected) in cases {
        let error = TilingPlan::resolve(&net, whole, &per_layer).unwrap_err();
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains('\n'));
    }
}

#[test]
fn one_tile_means_untiled() {
    let (untiled, tiled) = tiled(&mlp(), Some((Split::Time, 1)), &[]);
    assert_eq!(tiled, untiled);
}

#[test]
fn tiled_problem_loads_and_sequential_schedule_validates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiled.yaml");
    std::fs::write(
        &path,
        "name: tiled\n\
         network: {name: c, input: [2, 8, 8], timesteps: 6, batch: 4, layers: [\
           {type: conv, out: 32, kernel: 3, padding: 1}, {type: pool, kernel: 2}, {type: conv, out: 10, kernel: 3}]}\n\
         arrays: {count: 3, rows: 16, cols: 16, dataflow: weight-stationary}\n\
         link: {latency_cycles: 10, bytes_per_cycle: 8}\n\
         tiling: {split: time, tiles: 3, layers: {1: {split: channels, tiles: 2}}}\n",
    )
    .unwrap();
    let problem = crate::problem::load(&path, Default::default()).unwrap();
    for name in ["F1.1", "F1.2", "F2.3", "B3.1", "W3.3", "U3"] {
        assert!(problem.task_index(name).is_some(), "missing {name}");
    }
    let schedule = crate::sched::list::sequential_schedule(&problem);
    crate::validate::validate(&problem, &schedule).unwrap();
}

#[test]
fn tiling_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    for (tiling, expected) in [
        ("{split: diagonal, tiles: 2}", "unknown tiling split `diagonal`"),
        ("{split: time}", "`split` needs `tiles`"),
        ("{layers: {1: {split: channels, tiles: 2}}}", "layer 1 is fc"),
        ("{}", "give `split` and `tiles`"),
    ] {
        std::fs::write(
            &path,
            format!(
                "name: bad\nnetwork: {{name: m, input: [4], timesteps: 4, batch: 1, layers: [{{type: fc, out: 2}}]}}\n\
                 arrays: {{count: 1, rows: 4, cols: 4, dataflow: os}}\ntiling: {tiling}\n"
            ),
        )
        .unwrap();
        let error = crate::problem::load(&path, Default::default()).unwrap_err().to_string();
        assert!(error.contains("bad.yaml") && error.contains(expected), "{error}");
    }
}
