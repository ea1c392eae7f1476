//! Delayed-gradient training of IIR spiking networks on bundled digit
//! datasets, to measure what the gradient delays of a pipelined schedule do
//! to accuracy, and to cross-check the workload's operation counts against
//! the operations a real training iteration performs.
//!
//! The pipeline: a model file ([`crate::model::Network`]) becomes a
//! [`network::SpikingNetwork`], and images are rate-coded into spikes
//! ([`encode`]). Every minibatch runs forward, loss and backpropagation
//! through time with the weights its delay allows ([`delay`]). Then each
//! layer takes one Adam step ([`adam`]).

pub mod adam;
pub mod command;
pub mod data;
pub mod delay;
pub mod encode;
pub mod iir;
pub mod layers;
pub mod network;
pub mod opcount;
pub mod rng;
pub mod trainer;

#[cfg(test)]
mod tests;

pub use data::{Dataset, DatasetName};
pub use trainer::{EpochReport, RunSettings, TrainProgress};

use crate::error::InputError;
use crate::model::Network;
use crate::workload::DelayPolicy;
use adam::AdamSettings;
use iir::SpikeFunction;
use network::SpikingNetwork;
use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

/// Largest accepted minibatch size.
pub const MAX_BATCH: u64 = 4096;
/// Largest accepted number of timesteps.
pub const MAX_TIMESTEPS: u64 = 1000;
/// Largest accepted memory for the tensors of one minibatch, and for the
/// stashed weight versions, in bytes.
pub const MAX_BATCH_BYTES: u64 = 8 << 30;

/// Slope of the sigmoid whose derivative is the surrogate gradient.
pub const DEFAULT_SURROGATE_SLOPE: f64 = 5.0;
/// Scale of the initial weights.
pub const DEFAULT_INIT_GAIN: f64 = 1.0;
/// Adam learning rate.
pub const DEFAULT_LEARNING_RATE: f64 = 3e-3;

/// Settings of a training command: model, dataset, delay policies and
/// hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub model: PathBuf,
    pub dataset: DatasetName,
    /// Delay policies to train with, one run each, all from the same seed.
    pub policies: Vec<DelayPolicy>,
    pub epochs: u32,
    pub seed: u64,
    /// Overrides of the model's batch and timesteps.
    pub batch: Option<u64>,
    pub timesteps: Option<u64>,
    pub learning_rate: f64,
    pub init_gain: f64,
    pub surrogate_slope: f64,
    /// Use only the first N training or test samples.
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
}

impl TrainConfig {
    /// Creates a synchronous run of one epoch with default hyperparameters.
    pub fn new(model: PathBuf, dataset: DatasetName) -> TrainConfig {
        TrainConfig {
            model,
            dataset,
            policies: vec![DelayPolicy::Named("synchronous".into())],
            epochs: 1,
            seed: 1,
            batch: None,
            timesteps: None,
            learning_rate: DEFAULT_LEARNING_RATE,
            init_gain: DEFAULT_INIT_GAIN,
            surrogate_slope: DEFAULT_SURROGATE_SLOPE,
            train_limit: None,
            test_limit: None,
        }
    }
}

/// Error that stops training before its first iteration.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{0}")]
    Model(#[from] InputError),
    #[error("{model}: {message}")]
    Mismatch { model: PathBuf, message: String },
    #[error("invalid gradient delay `{policy}`: {message}")]
    Delay { policy: String, message: String },
    #[error("invalid setting: {0}")]
    Setting(String),
    #[error("bundled dataset: {0}")]
    Dataset(String),
}

/// One delay policy's training run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunReport {
    pub policy: String,
    pub delays: Vec<u32>,
    pub epochs: Vec<EpochReport>,
    /// Test accuracy after the last epoch.
    pub test_accuracy: f64,
    pub seconds: f64,
}

/// Results of [`run_training`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrainReport {
    pub model: String,
    pub dataset: DatasetName,
    pub train_samples: usize,
    pub test_samples: usize,
    pub batch: usize,
    pub timesteps: usize,
    pub seed: u64,
    pub learning_rate: f64,
    pub runs: Vec<RunReport>,
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} on {} ({} train, {} test samples), batch {}, {} timesteps, seed {}, learning rate {}",
            self.model,
            self.dataset.name(),
            self.train_samples,
            self.test_samples,
            self.batch,
            self.timesteps,
            self.seed,
            self.learning_rate
        )?;
        writeln!(f, "{:<14} {:<14} {:>5} {:>10} {:>9} {:>9} {:>8}", "policy", "delays", "epoch", "train loss", "train acc", "test acc", "seconds")?;
        for run in &self.runs {
            let delays = format!("[{}]", run.delays.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
            for epoch in &run.epochs {
                writeln!(
                    f,
                    "{:<14} {:<14} {:>5} {:>10.4} {:>8.2}% {:>8.2}% {:>8.1}",
                    run.policy,
                    delays,
                    epoch.epoch,
                    epoch.train_loss,
                    100.0 * epoch.train_accuracy,
                    100.0 * epoch.test_accuracy,
                    epoch.seconds
                )?;
            }
        }
        Ok(())
    }
}

/// Checks that the model fits the dataset: its input has the dataset's
/// features (flat or as channels x height x width) and its last layer has
/// one output per class.
fn check_model_fits(config: &TrainConfig, model: &Network, dataset: &Dataset) -> Result<(), TrainError> {
    let mismatch = |message: String| TrainError::Mismatch { model: config.model.clone(), message };
    let input = model.input;
    let flat = input.height == 1 && input.width == 1;
    let fits = if flat {
        input.channels as usize == dataset.features()
    } else {
        (input.channels as usize, input.height as usize, input.width as usize) == (dataset.channels, dataset.height, dataset.width)
    };
    if !fits {
        return Err(mismatch(format!(
            "model input is {}x{}x{} but dataset {} has {}x{}x{} images; use input [{}] or [{}, {}, {}]",
            input.channels,
            input.height,
            input.width,
            dataset.name.name(),
            dataset.channels,
            dataset.height,
            dataset.width,
            dataset.features(),
            dataset.channels,
            dataset.height,
            dataset.width
        )));
    }
    let outputs = model.layers.last().map_or(0, |l| l.output_elements());
    if outputs != 10 {
        return Err(mismatch(format!("the last layer has {outputs} outputs but the dataset has 10 classes; give it out: 10")));
    }
    Ok(())
}

/// Bytes of the tensors one minibatch keeps (an estimate within a small
/// factor: filtered inputs, potentials, spikes and gradients per layer, and
/// the im2col matrix of the largest convolution).
fn batch_bytes(network: &SpikingNetwork, rows: u64) -> u64 {
    let mut elements: u64 = 0;
    let mut largest_columns: u64 = 0;
    for layer in &network.layers {
        elements = elements.saturating_add(4u64.saturating_mul((layer.input_features() + layer.output_features()) as u64));
        if let network::LayerKind::Conv(g) = layer {
            let forward = (g.out_height * g.out_width * g.patch()) as u64;
            let backward = (g.in_height * g.in_width * g.kernel * g.kernel * g.out_channels) as u64;
            largest_columns = largest_columns.max(forward.max(backward));
        }
    }
    elements.saturating_add(largest_columns).saturating_mul(rows).saturating_mul(8)
}

fn check_range(what: &str, flag: &str, value: u64, max: u64) -> Result<u64, TrainError> {
    if value == 0 || value > max {
        return Err(TrainError::Setting(format!("{what} {value} is out of range; give {flag} from 1 to {max}")));
    }
    Ok(value)
}

/// Trains the model of `config` once per delay policy and reports the
/// accuracy after every epoch. Progress goes to the `log` crate at info
/// level, one line per epoch.
pub fn run_training(config: &TrainConfig) -> Result<TrainReport, TrainError> {
    run_training_with_progress(config, &mut |_, _| {})
}

/// Runs [`run_training`], passing every step and epoch with its policy label
/// to `progress`.
pub fn run_training_with_progress(
    config: &TrainConfig,
    progress: &mut dyn FnMut(&str, TrainProgress),
) -> Result<TrainReport, TrainError> {
    let model = Network::load(&config.model)?;
    let mut dataset = Dataset::load(config.dataset).map_err(TrainError::Dataset)?;
    check_model_fits(config, &model, &dataset)?;
    let features = dataset.features();
    for (flag, limit) in [("--train-limit", config.train_limit), ("--test-limit", config.test_limit)] {
        if limit == Some(0) {
            return Err(TrainError::Setting(format!("{flag} 0 leaves no samples; give 1 or more")));
        }
    }
    if let Some(limit) = config.train_limit {
        dataset.train.truncate(limit, features);
    }
    if let Some(limit) = config.test_limit {
        dataset.test.truncate(limit, features);
    }

    let batch = check_range("batch", "--batch", config.batch.unwrap_or(model.batch), MAX_BATCH)? as usize;
    let timesteps = check_range("timesteps", "--timesteps", config.timesteps.unwrap_or(model.timesteps), MAX_TIMESTEPS)? as usize;
    if config.epochs == 0 {
        return Err(TrainError::Setting("epochs 0 is out of range; give --epochs 1 or more".into()));
    }
    for (what, value) in [("learning rate", config.learning_rate), ("initial weight gain", config.init_gain), ("surrogate slope", config.surrogate_slope)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(TrainError::Setting(format!("{what} {value} is invalid; give a positive number")));
        }
    }
    if config.policies.is_empty() {
        return Err(TrainError::Setting("no delay policy given; give --delay POLICY".into()));
    }

    let network = SpikingNetwork::from_model(&model, SpikeFunction::Step { surrogate_slope: config.surrogate_slope });
    let bytes = batch_bytes(&network, (batch * timesteps) as u64);
    if bytes > MAX_BATCH_BYTES {
        return Err(TrainError::Setting(format!(
            "one minibatch of {batch} samples x {timesteps} timesteps needs about {} MiB, above the {} MiB limit; use a smaller --batch or --timesteps",
            bytes >> 20,
            MAX_BATCH_BYTES >> 20
        )));
    }
    let weighted = network.weight_shapes().len();
    let mut resolved = Vec::new();
    for policy in &config.policies {
        let delays = policy.resolve(weighted).map_err(|message| TrainError::Delay { policy: policy.label(), message })?;
        resolved.push((policy.label(), delays));
    }

    // Weight stashing keeps up to min(d, iterations) versions of each layer.
    let iterations = (dataset.train.len().div_ceil(batch) as u64).saturating_mul(config.epochs as u64);
    for (label, delays) in &resolved {
        let stash: u64 = network
            .weight_shapes()
            .iter()
            .zip(delays)
            .map(|(&(rows, columns), &d)| ((rows * columns) as u64).saturating_mul((d as u64).min(iterations.max(1))).saturating_mul(8))
            .fold(0, u64::saturating_add);
        if stash > MAX_BATCH_BYTES {
            return Err(TrainError::Delay {
                policy: label.clone(),
                message: format!(
                    "stashing one weight version per iteration of delay needs about {} MiB, above the {} MiB limit; use smaller delays",
                    stash >> 20,
                    MAX_BATCH_BYTES >> 20
                ),
            });
        }
    }

    let mut runs = Vec::new();
    for (label, delays) in resolved {
        let settings = RunSettings {
            epochs: config.epochs,
            batch,
            timesteps,
            seed: config.seed,
            adam: AdamSettings { learning_rate: config.learning_rate, ..AdamSettings::default() },
            init_gain: config.init_gain,
            delays: delays.clone(),
        };
        log::info!("training {} on {} with delays {:?} ({} epochs)", model.name, dataset.name.name(), delays, config.epochs);
        let start = Instant::now();
        let epochs = trainer::train(&network, &dataset, &settings, &mut |event| {
            progress(&label, event);
            let TrainProgress::Epoch(epoch) = event else { return };
            log::info!(
                "{label} epoch {}: train loss {:.4}, train accuracy {:.2}%, test accuracy {:.2}% ({:.1} s)",
                epoch.epoch,
                epoch.train_loss,
                100.0 * epoch.train_accuracy,
                100.0 * epoch.test_accuracy,
                epoch.seconds
            );
        });
        let test_accuracy = epochs.last().map_or(0.0, |e| e.test_accuracy);
        runs.push(RunReport { policy: label, delays, epochs, test_accuracy, seconds: start.elapsed().as_secs_f64() });
    }

    Ok(TrainReport {
        model: model.name.clone(),
        dataset: config.dataset,
        train_samples: dataset.train.len(),
        test_samples: dataset.test.len(),
        batch,
        timesteps,
        seed: config.seed,
        learning_rate: config.learning_rate,
        runs,
    })
}
