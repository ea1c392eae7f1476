//! Tests of the trainer as a whole: gradient checks by finite differences,
//! delayed-gradient semantics, the operation counts against the workload,
//! determinism and rejected settings.

use super::adam::{Adam, AdamSettings};
use super::data::DatasetName;
use super::encode::encode_batch;
use super::iir::SpikeFunction;
use super::network::{LayerTrace, SpikingNetwork};
use super::opcount::OpCounts;
use super::rng::{Purpose, SplitMix};
use super::trainer::Trainer;
use super::{run_training, TrainConfig, TrainError};
use crate::model::{ModelSpec, Network};
use crate::workload::{build_workload, DelayPolicy, TaskKind, WorkloadSettings};
use ndarray::Array2;
use std::path::{Path, PathBuf};

fn model(yaml: &str) -> Network {
    let path = Path::new("test.yaml");
    Network::from_spec(path, &ModelSpec::parse(path, yaml).unwrap()).unwrap()
}

/// Random 0/1 input spikes, time-major.
fn random_spikes(rows: usize, features: usize, seed: u64) -> Array2<f64> {
    let mut random = SplitMix::keyed(seed, Purpose::TrainSpikes, &[]);
    Array2::from_shape_simple_fn((rows, features), || if random.next_f64() < 0.4 { 1.0 } else { 0.0 })
}

fn loss_of(network: &SpikingNetwork, weights: &[Array2<f64>], input: &Array2<f64>, labels: &[u8]) -> f64 {
    let mut counts = OpCounts::default();
    let trace = network.forward(weights, input.view(), labels.len(), &mut counts);
    network.loss(&trace, labels, &mut counts).loss
}

fn gradients_of(network: &SpikingNetwork, weights: &[Array2<f64>], input: &Array2<f64>, labels: &[u8]) -> Vec<Array2<f64>> {
    let mut counts = OpCounts::default();
    let trace = network.forward(weights, input.view(), labels.len(), &mut counts);
    let loss = network.loss(&trace, labels, &mut counts);
    network.backward(weights, &trace, loss.grad_spikes.view(), &mut counts)
}

/// Conv with padding, a pool, a strided conv with padding, and two fc
/// layers: every kind of layer and both conv gathers.
const TINY_CNN: &str = "name: tiny\ninput: [1, 6, 6]\ntimesteps: 4\nbatch: 2\nlayers:\n\
    - {type: conv, out: 2, kernel: 3, padding: 1}\n\
    - {type: pool, kernel: 2}\n\
    - {type: conv, out: 3, kernel: 2, stride: 2, padding: 1}\n\
    - {type: fc, out: 4}\n\
    - {type: fc, out: 3}\n";

#[test]
fn sigmoid_gradients_match_finite_differences() {
    // With a sigmoid in place of the step the network is smooth, so the
    // analytic gradient (BPTT through the filters, the neurons with their
    // reset path, conv, pool and fc) must match central differences.
    let network = SpikingNetwork::from_model(&model(TINY_CNN), SpikeFunction::Sigmoid { slope: 2.0 });
    let weights = network.initial_weights(3, 3.0);
    let (steps, batch) = (4, 2);
    let input = random_spikes(steps * batch, 36, 11);
    let labels = [2u8, 0];
    let analytic = gradients_of(&network, &weights, &input, &labels);

    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for (layer, gradient) in analytic.iter().enumerate() {
        for (index, &g) in gradient.indexed_iter() {
            let mut plus = weights.clone();
            plus[layer][index] += h;
            let mut minus = weights.clone();
            minus[layer][index] -= h;
            let numeric = (loss_of(&network, &plus, &input, &labels) - loss_of(&network, &minus, &input, &labels)) / (2.0 * h);
            let error = (numeric - g).abs() / (numeric.abs() + g.abs()).max(1e-6);
            assert!(error < 1e-5, "layer {layer} weight {index:?}: analytic {g}, numeric {numeric}");
            worst = worst.max(error);
        }
    }
    // The loss depends on every layer, so no gradient matrix is all zero.
    for gradient in &analytic {
        assert!(gradient.iter().any(|g| g.abs() > 1e-8));
    }
}

#[test]
fn reset_path_matters_for_gradient() {
    // A neuron driven above threshold spikes and resets again and again, so
    // its loss depends on the reset path. The analytic gradient, which runs
    // the reset filter backwards, must match central differences.
    let yaml = "name: one\ninput: [1]\ntimesteps: 6\nbatch: 1\nlayers:\n- {type: fc, out: 2}\n";
    let network = SpikingNetwork::from_model(&model(yaml), SpikeFunction::Sigmoid { slope: 3.0 });
    let weights = vec![ndarray::array![[4.0], [1.0]]];
    let input = Array2::from_elem((6, 1), 1.0);
    let h = 1e-6;
    let mut plus = weights.clone();
    plus[0][[0, 0]] += h;
    let mut minus = weights.clone();
    minus[0][[0, 0]] -= h;
    let numeric = (loss_of(&network, &plus, &input, &[1]) - loss_of(&network, &minus, &input, &[1])) / (2.0 * h);
    let analytic = gradients_of(&network, &weights, &input, &[1])[0][[0, 0]];
    assert!((numeric - analytic).abs() < 1e-7 * numeric.abs().max(1.0), "{numeric} vs {analytic}");
}

#[test]
fn surrogate_gradient_matches_steep_sigmoid() {
    // The step network trained with the surrogate k·σ'(kx) and the sigmoid
    // network σ(kx) share the backward pass. Where no membrane potential lies
    // within 0.1 of the threshold, a steep sigmoid (k = 200) gives the same
    // forward pass as the step to within σ(−20) ≈ 2e-9 per spike, so both
    // gradients must agree. The sigmoid gradient is the one checked against
    // finite differences above. The network has no pool: a max pool over
    // binary spikes has ties, which the step and the sigmoid break apart.
    let slope = 200.0;
    let yaml = "name: tiny\ninput: [1, 4, 4]\ntimesteps: 3\nbatch: 2\nlayers:\n\
        - {type: conv, out: 2, kernel: 3}\n- {type: fc, out: 3}\n";
    let step = SpikingNetwork::from_model(&model(yaml), SpikeFunction::Step { surrogate_slope: slope });
    let smooth = SpikingNetwork::from_model(&model(yaml), SpikeFunction::Sigmoid { slope });
    let labels = [1u8, 2];

    // Pick the first seed whose potentials all keep a margin of 0.1.
    let mut checked = false;
    for seed in 0..400 {
        let weights = step.initial_weights(seed, 6.0);
        let input = random_spikes(6, 16, seed);
        let trace = step.forward(&weights, input.view(), 2, &mut OpCounts::default());
        let margin = trace
            .layers
            .iter()
            .filter_map(|l| match l {
                LayerTrace::Weighted { neurons, .. } => Some(neurons.margin.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()))),
                LayerTrace::Pool(_) => None,
            })
            .fold(f64::INFINITY, f64::min);
        let spikes = trace.output_spikes().sum();
        if margin < 0.1 || spikes == 0.0 {
            continue;
        }
        let surrogate = gradients_of(&step, &weights, &input, &labels);
        let exact = gradients_of(&smooth, &weights, &input, &labels);
        for (s, e) in surrogate.iter().zip(&exact) {
            let difference = (s - e).mapv(|x| x * x).sum().sqrt();
            let norm = e.mapv(|x| x * x).sum().sqrt();
            assert!(norm > 0.0);
            assert!(difference <= 1e-6 * norm, "surrogate and sigmoid gradients differ by {difference} (norm {norm})");
        }
        checked = true;
        break;
    }
    assert!(checked, "no seed kept every potential 0.1 away from the threshold");
}

fn two_layer() -> (SpikingNetwork, Vec<Array2<f64>>, Array2<f64>, Vec<u8>) {
    let yaml = "name: two\ninput: [12]\ntimesteps: 5\nbatch: 4\nlayers:\n- {type: fc, out: 16}\n- {type: fc, out: 10}\n";
    let network = SpikingNetwork::from_model(&model(yaml), SpikeFunction::Step { surrogate_slope: 5.0 });
    let weights = network.initial_weights(5, 3.0);
    let input = random_spikes(20, 12, 8);
    (network, weights, input, vec![3, 1, 4, 1])
}

#[test]
fn delay_one_equals_plain_adam() {
    let (network, weights, input, labels) = two_layer();
    let mut trainer = Trainer::new(network.clone(), weights.clone(), &[1, 1], AdamSettings::default());
    let mut plain = weights;
    let mut optimisers: Vec<Adam> = plain.iter().map(|w| Adam::new(AdamSettings::default(), w.dim())).collect();
    for iteration in 0..4 {
        let spikes = &input * if iteration % 2 == 0 { 1.0 } else { 0.0 } + &random_spikes(20, 12, iteration);
        let spikes = spikes.mapv(|x| x.min(1.0));
        let gradients = gradients_of(&network, &plain, &spikes, &labels);
        for ((w, optimiser), g) in plain.iter_mut().zip(&mut optimisers).zip(&gradients) {
            optimiser.step(w, g);
        }
        trainer.step(spikes.view(), &labels, &mut OpCounts::default());
        assert_eq!(trainer.newest_weights(), plain, "iteration {iteration}");
    }
}

#[test]
fn delay_two_step_uses_stale_weights() {
    // Layer 1 with delay 2, layer 2 with delay 1.
    let (network, initial, input, labels) = two_layer();
    let mut trainer = Trainer::new(network.clone(), initial.clone(), &[2, 1], AdamSettings::default());
    let mut optimisers: Vec<Adam> = initial.iter().map(|w| Adam::new(AdamSettings::default(), w.dim())).collect();

    // Iteration 0: both layers read the initial weights.
    let gradients = gradients_of(&network, &initial, &input, &labels);
    let mut after_first = initial.clone();
    for ((w, optimiser), g) in after_first.iter_mut().zip(&mut optimisers).zip(&gradients) {
        optimiser.step(w, g);
    }
    trainer.step(input.view(), &labels, &mut OpCounts::default());
    assert_eq!(trainer.newest_weights(), after_first);

    // Iteration 1: layer 1 still reads version 0, layer 2 reads version 1.
    let stale = vec![initial[0].clone(), after_first[1].clone()];
    assert_eq!(trainer.forward_weights(), stale);
    assert_ne!(stale[0], after_first[0]);
    let second_input = random_spikes(20, 12, 99);
    let gradients = gradients_of(&network, &stale, &second_input, &labels);
    let mut after_second = after_first.clone();
    for ((w, optimiser), g) in after_second.iter_mut().zip(&mut optimisers).zip(&gradients) {
        optimiser.step(w, g);
    }
    trainer.step(second_input.view(), &labels, &mut OpCounts::default());
    // The stale gradient was applied to the newest weights.
    assert_eq!(trainer.newest_weights(), after_second);

    // Iteration 2: layer 1 now uses iteration 0's update but not iteration 1's.
    assert_eq!(trainer.forward_weights(), vec![after_first[0].clone(), after_second[1].clone()]);
}

/// Runs one training iteration with the model's batch and timesteps and
/// compares every task's operation counts with the workload's.
fn assert_counts_match_workload(yaml: &str) {
    let model = model(yaml);
    let network = SpikingNetwork::from_model(&model, SpikeFunction::Step { surrogate_slope: 5.0 });
    let (batch, steps) = (model.batch as usize, model.timesteps as usize);
    let weights = network.initial_weights(1, 2.0);
    let delays = vec![1; weights.len()];
    let mut trainer = Trainer::new(network.clone(), weights, &delays, AdamSettings::default());
    let input = random_spikes(batch * steps, network.input_features(), 4);
    let labels: Vec<u8> = (0..batch).map(|b| (b % network.classes()) as u8).collect();
    let mut counts = OpCounts::default();
    trainer.step(input.view(), &labels, &mut counts);

    let settings = WorkloadSettings { value_bits: 16, update_ops_per_weight: 10, delays: delays.clone() };
    let workload = build_workload(&model, &settings);
    for task in &workload.tasks {
        let counted = counts.get(task.layer, task.kind);
        assert_eq!(counted.macs, task.gemm.map_or(0, |g| g.macs()), "{} multiply-accumulates", task.name());
        assert_eq!(counted.elementwise_ops, task.elementwise_ops, "{} elementwise operations", task.name());
    }
    // The trainer did no work outside the workload's tasks.
    assert_eq!(counts.tasks.len(), workload.tasks.iter().filter(|t| t.gemm.is_some() || t.elementwise_ops > 0).count());
    assert!(!counts.tasks.contains_key(&(1, TaskKind::B)));
    assert_eq!(counts.loss_elements, (batch * network.classes()) as u64);
}

#[test]
fn op_counts_match_workload_mlp() {
    assert_counts_match_workload("name: m\ninput: [20]\ntimesteps: 3\nbatch: 4\nlayers:\n- {type: fc, out: 12}\n- {type: fc, out: 8}\n- {type: fc, out: 5}\n");
}

#[test]
fn op_counts_match_workload_cnn() {
    // Strided and padded conv and pool, a pool right after the input, and a
    // pool between two weighted layers.
    assert_counts_match_workload(
        "name: c\ninput: [2, 9, 9]\ntimesteps: 3\nbatch: 2\nlayers:\n\
         - {type: pool, kernel: 2, stride: 1}\n\
         - {type: conv, out: 3, kernel: 3, stride: 2, padding: 1}\n\
         - {type: pool, kernel: 3, stride: 2, padding: 1}\n\
         - {type: conv, out: 4, kernel: 2}\n\
         - {type: fc, out: 6}\n\
         - {type: fc, out: 3}\n",
    );
}

#[test]
fn op_counts_match_workload_bundled_models() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for file in ["models/digits-mlp.yaml", "models/mnist-cnn.yaml"] {
        let mut text = std::fs::read_to_string(root.join(file)).unwrap();
        // A smaller batch keeps the test fast; counts scale with it exactly.
        text = text.replace("batch: 32", "batch: 2");
        assert_counts_match_workload(&text);
    }
}

fn config(model: &str, dataset: DatasetName) -> TrainConfig {
    let mut config = TrainConfig::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(model), dataset);
    config.train_limit = Some(320);
    config.test_limit = Some(100);
    config
}

#[test]
fn digits_training_learns_and_repeats() {
    let mut config = config("models/digits-mlp.yaml", DatasetName::Digits);
    config.epochs = 3;
    config.train_limit = Some(800);
    config.policies = vec![DelayPolicy::Named("synchronous".into()), DelayPolicy::Named("pipedream".into())];
    let first = run_training(&config).unwrap();
    let second = run_training(&config).unwrap();
    let accuracies = |r: &super::TrainReport| -> Vec<Vec<(f64, f64, f64)>> {
        r.runs.iter().map(|run| run.epochs.iter().map(|e| (e.train_loss, e.train_accuracy, e.test_accuracy)).collect()).collect()
    };
    assert_eq!(accuracies(&first), accuracies(&second));
    assert_eq!(first.runs[1].delays, vec![3, 2, 1]);
    // Chance is 10%; three epochs on 800 digits reach well above it.
    assert!(first.runs[0].test_accuracy > 0.6, "{first}");
    // The delayed run trains differently from the synchronous one.
    assert_ne!(accuracies(&first)[0], accuracies(&first)[1]);
}

#[test]
fn encoding_differs_between_epochs() {
    let dataset = super::Dataset::load(DatasetName::Digits).unwrap();
    let first = encode_batch(&dataset.train, &[0, 1], 64, 16, 4, (1, Purpose::TrainSpikes, 0));
    let second = encode_batch(&dataset.train, &[0, 1], 64, 16, 4, (1, Purpose::TrainSpikes, 1));
    assert_ne!(first, second);
}

#[test]
fn model_input_must_fit_dataset() {
    let error = run_training(&config("models/mnist-mlp.yaml", DatasetName::Digits)).unwrap_err();
    assert!(matches!(error, TrainError::Mismatch { .. }));
    assert!(error.to_string().contains("use input [64] or [1, 8, 8]"), "{error}");
}

#[test]
fn delay_list_length_is_checked() {
    let mut config = config("models/digits-mlp.yaml", DatasetName::Digits);
    config.policies = vec![DelayPolicy::PerLayer(vec![1, 2])];
    let error = run_training(&config).unwrap_err();
    assert!(error.to_string().contains("has 2 entries but the network has 3 weighted layers"), "{error}");
}

#[test]
fn zero_epochs_are_rejected() {
    let mut config = config("models/digits-mlp.yaml", DatasetName::Digits);
    config.epochs = 0;
    let error = run_training(&config).unwrap_err();
    assert!(error.to_string().contains("--epochs"), "{error}");
}

#[test]
fn zero_train_limit_is_rejected() {
    let mut config = config("models/digits-mlp.yaml", DatasetName::Digits);
    config.train_limit = Some(0);
    let error = run_training(&config).unwrap_err();
    assert!(error.to_string().contains("--train-limit 0 leaves no samples"), "{error}");
}

#[test]
fn huge_batch_is_rejected() {
    let mut config = config("models/mnist-mlp.yaml", DatasetName::Mnist);
    config.batch = Some(4096);
    config.timesteps = Some(1000);
    let error = run_training(&config).unwrap_err();
    assert!(error.to_string().contains("use a smaller --batch or --timesteps"), "{error}");
}

#[test]
fn huge_delay_stash_is_rejected() {
    let mut config = config("models/mnist-mlp.yaml", DatasetName::Mnist);
    config.train_limit = None;
    config.epochs = 1000;
    config.policies = vec![DelayPolicy::Uniform(1_000_000)];
    let error = run_training(&config).unwrap_err();
    assert!(error.to_string().contains("use smaller delays"), "{error}");
}

/// Measures one epoch of 784-500-500-10 with 25 timesteps and batch 64 over
/// the 8,000 MNIST training digits. Run with
/// `cargo test --release mnist_mlp_epoch_time -- --ignored --nocapture`.
#[test]
#[ignore]
fn mnist_mlp_epoch_time() {
    let mut config = TrainConfig::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/mnist-mlp.yaml"), DatasetName::Mnist);
    config.epochs = 1;
    let report = run_training(&config).unwrap();
    let epoch = &report.runs[0].epochs[0];
    println!("one epoch (training and test evaluation): {:.1} s, test accuracy {:.2}%", epoch.seconds, 100.0 * epoch.test_accuracy);
}
