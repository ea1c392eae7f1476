use super::*;
use crate::model::{ModelSpec, Network};
use std::path::Path;

fn mlp() -> Network {
    let yaml = "name: mlp\ninput: [784]\ntimesteps: 25\nbatch: 64\nlayers:\n- {type: fc, out: 500}\n- {type: fc, out: 10}\n";
    Network::from_spec(Path::new("m.yaml"), &ModelSpec::parse(Path::new("m.yaml"), yaml).unwrap()).unwrap()
}

fn settings(delays: Vec<u32>) -> WorkloadSettings {
    WorkloadSettings { value_bits: 16, update_ops_per_weight: 10, delays }
}

fn find<'a>(w: &'a Workload, name: &str) -> &'a TrainingTask {
    w.tasks.iter().find(|t| t.name() == name).unwrap()
}

#[test]
fn mlp_tasks_and_shapes() {
    let w = build_workload(&mlp(), &settings(vec![2, 1]));
    let names: Vec<String> = w.tasks.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["F1", "W1", "U1", "F2", "B2", "W2", "U2"]);
    let bt = 64 * 25;
    assert_eq!(find(&w, "F1").gemm, Some(Gemm { m: bt, k: 784, n: 500 }));
    assert_eq!(find(&w, "B2").gemm, Some(Gemm { m: bt, k: 10, n: 500 }));
    assert_eq!(find(&w, "W2").gemm, Some(Gemm { m: 500, k: bt, n: 10 }));
    // F1: 3·784 + 4·500 per sample-timestep.
    assert_eq!(find(&w, "F1").elementwise_ops, (3 * 784 + 4 * 500) * bt);
    // F2 is the last layer: 3·500 + 4·10 + 5·10.
    assert_eq!(find(&w, "F2").elementwise_ops, (3 * 500 + 4 * 10 + 5 * 10) * bt);
    // B2: 3·500 for the filter and 5·500 for layer 1's surrogate and reset.
    assert_eq!(find(&w, "B2").elementwise_ops, 8 * 500 * bt);
    assert_eq!(find(&w, "U1").elementwise_ops, 10 * 784 * 500);
}

#[test]
fn mlp_edges_carry_expected_bytes() {
    let w = build_workload(&mlp(), &settings(vec![2, 1]));
    let bt = 64 * 25;
    let by_name = |from: &str, to: &str| -> Vec<&TrainingEdge> {
        w.edges.iter().filter(|e| w.tasks[e.from].name() == from && w.tasks[e.to].name() == to).collect()
    };
    assert_eq!(by_name("F1", "F2")[0].bytes, (500 * bt) / 8);
    assert_eq!(by_name("F2", "B2")[0].bytes, 10 * bt * 2);
    assert_eq!(by_name("B2", "W1")[0].bytes, 500 * bt * 2);
    assert_eq!(by_name("U1", "F1")[0].distance, 2);
    assert_eq!(by_name("U2", "F2")[0].distance, 1);
    assert_eq!(by_name("U1", "F1")[0].bytes, 784 * 500 * 2);
    // F1 → W1 carries the filtered inputs.
    assert_eq!(by_name("F1", "W1")[0].bytes, 784 * bt * 2);
}

#[test]
fn training_bytes_count_gemm_operands_and_updates() {
    let w = build_workload(&mlp(), &settings(vec![1, 1]));
    let mut elements = 0;
    for t in &w.tasks {
        if let Some(g) = t.gemm {
            elements += g.m * g.k + g.k * g.n + g.m * g.n;
        }
    }
    elements += 3 * (784 * 500 + 500 * 10);
    assert_eq!(w.training_bytes, elements * 2);
}
