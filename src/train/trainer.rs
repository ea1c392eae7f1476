//! The training loop: minibatches in a seeded order, one delayed-gradient
//! step per minibatch, and evaluation on the test split after every epoch.

use super::adam::{Adam, AdamSettings};
use super::data::{Dataset, Split};
use super::delay::WeightHistory;
use super::encode::encode_batch;
use super::network::{predicted_class, SpikingNetwork};
use super::opcount::{OpCounts, ADAM_OPS_PER_WEIGHT};
use super::rng::{Purpose, SplitMix};
use crate::workload::TaskKind;
use ndarray::{Array2, ArrayView2};
use std::time::Instant;

/// Settings of one training run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    pub epochs: u32,
    pub batch: usize,
    pub timesteps: usize,
    pub seed: u64,
    pub adam: AdamSettings,
    /// Scale of the initial weights (see `SpikingNetwork::initial_weights`).
    pub init_gain: f64,
    /// Gradient delay per weighted layer, input to output.
    pub delays: Vec<u32>,
}

/// Results of one epoch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EpochReport {
    pub epoch: u32,
    /// Mean minibatch loss over the epoch.
    pub train_loss: f64,
    /// Fraction of training samples classified correctly during the epoch,
    /// each by the weights its own forward pass used.
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    pub seconds: f64,
}

/// Loss and correct predictions of one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepOutput {
    pub loss: f64,
    pub correct: usize,
}

/// Network, weight histories and optimiser state of a training run.
#[derive(Debug, Clone)]
pub struct Trainer {
    pub network: SpikingNetwork,
    histories: Vec<WeightHistory>,
    optimisers: Vec<Adam>,
    iteration: usize,
}

impl Trainer {
    /// Starts from `weights` (one matrix per weighted layer) with one delay
    /// per weighted layer.
    pub fn new(network: SpikingNetwork, weights: Vec<Array2<f64>>, delays: &[u32], adam: AdamSettings) -> Trainer {
        assert_eq!(weights.len(), delays.len(), "one delay per weighted layer");
        let optimisers = weights.iter().map(|w| Adam::new(adam, w.dim())).collect();
        let histories = weights.into_iter().zip(delays).map(|(w, &d)| WeightHistory::new(w, d as usize)).collect();
        Trainer { network, histories, optimisers, iteration: 0 }
    }

    /// Iterations done so far.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// The weights the next iteration's forward pass will use.
    pub fn forward_weights(&self) -> Vec<Array2<f64>> {
        self.histories.iter().map(|h| h.weights_for(self.iteration).clone()).collect()
    }

    /// Returns the newest weights, with every update applied.
    pub fn newest_weights(&self) -> Vec<Array2<f64>> {
        self.histories.iter().map(|h| h.newest().clone()).collect()
    }

    /// Runs one iteration on time-major input spikes: forward and backward
    /// passes with the stashed weights of this iteration, then one Adam
    /// update of the newest weights per layer.
    pub fn step(&mut self, input: ArrayView2<f64>, labels: &[u8], counts: &mut OpCounts) -> StepOutput {
        let i = self.iteration;
        // Copies, because the updates below change the histories.
        let weights: Vec<Array2<f64>> = self.histories.iter().map(|h| h.weights_for(i).clone()).collect();
        let trace = self.network.forward(&weights, input, labels.len(), counts);
        let loss = self.network.loss(&trace, labels, counts);
        let gradients = self.network.backward(&weights, &trace, loss.grad_spikes.view(), counts);

        let weighted = self.network.layers.iter().enumerate().filter(|(_, l)| l.is_weighted()).map(|(n, _)| n + 1);
        for (((history, optimiser), gradient), number) in
            self.histories.iter_mut().zip(&mut self.optimisers).zip(&gradients).zip(weighted)
        {
            history.update(i, |w| optimiser.step(w, gradient));
            counts.elementwise(number, TaskKind::U, gradient.len(), ADAM_OPS_PER_WEIGHT);
        }
        self.iteration += 1;
        StepOutput { loss: loss.loss, correct: loss.correct }
    }
}

/// Fraction of `split` classified correctly by `weights`, with spikes drawn
/// from the test stream of `seed` (the same for every epoch and policy).
pub fn evaluate(network: &SpikingNetwork, weights: &[Array2<f64>], dataset: &Dataset, split: &Split, settings: &RunSettings) -> f64 {
    if split.is_empty() {
        return 0.0;
    }
    let features = dataset.features();
    let indices: Vec<usize> = (0..split.len()).collect();
    let mut correct = 0usize;
    let mut counts = OpCounts::default();
    for chunk in indices.chunks(settings.batch) {
        let input = encode_batch(split, chunk, features, dataset.max_value, settings.timesteps, (settings.seed, Purpose::TestSpikes, 0));
        let trace = network.forward(weights, input.view(), chunk.len(), &mut counts);
        let spike_counts = trace.spike_counts();
        for (b, &sample) in chunk.iter().enumerate() {
            let row = spike_counts.row(b);
            if predicted_class(row.as_slice().expect("fresh array is contiguous")) == split.labels[sample] as usize {
                correct += 1;
            }
        }
    }
    correct as f64 / split.len() as f64
}

/// Progress of a training run, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum TrainProgress<'a> {
    /// `done` of `total` training samples of epoch `epoch` (1-based) are done.
    Step { epoch: u32, done: usize, total: usize },
    /// An epoch ended with these results.
    Epoch(&'a EpochReport),
}

/// Trains `network` on `dataset` and evaluates after every epoch; `progress`
/// receives each minibatch step and each epoch's results as they arrive.
pub fn train(network: &SpikingNetwork, dataset: &Dataset, settings: &RunSettings, progress: &mut dyn FnMut(TrainProgress)) -> Vec<EpochReport> {
    let weights = network.initial_weights(settings.seed, settings.init_gain);
    let mut trainer = Trainer::new(network.clone(), weights, &settings.delays, settings.adam);
    let features = dataset.features();
    let mut reports = Vec::new();
    for epoch in 0..settings.epochs {
        let start = Instant::now();
        let mut order: Vec<usize> = (0..dataset.train.len()).collect();
        SplitMix::keyed(settings.seed, Purpose::Shuffle, &[epoch as u64]).shuffle(&mut order);
        let (mut loss_sum, mut correct, mut steps) = (0.0, 0usize, 0usize);
        for chunk in order.chunks(settings.batch) {
            let stream = (settings.seed, Purpose::TrainSpikes, epoch as u64);
            let input = encode_batch(&dataset.train, chunk, features, dataset.max_value, settings.timesteps, stream);
            let labels: Vec<u8> = chunk.iter().map(|&i| dataset.train.labels[i]).collect();
            let step = trainer.step(input.view(), &labels, &mut OpCounts::default());
            loss_sum += step.loss;
            correct += step.correct;
            steps += 1;
            progress(TrainProgress::Step { epoch: epoch + 1, done: (steps * settings.batch).min(order.len()), total: order.len() });
        }
        let test_accuracy = evaluate(network, &trainer.newest_weights(), dataset, &dataset.test, settings);
        let report = EpochReport {
            epoch: epoch + 1,
            train_loss: if steps > 0 { loss_sum / steps as f64 } else { 0.0 },
            train_accuracy: if order.is_empty() { 0.0 } else { correct as f64 / order.len() as f64 },
            test_accuracy,
            seconds: start.elapsed().as_secs_f64(),
        };
        progress(TrainProgress::Epoch(&report));
        reports.push(report);
    }
    reports
}
