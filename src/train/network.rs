//! The trainable spiking network: the layers of a model file, the forward
//! pass over all timesteps, the loss on output spike counts, and
//! backpropagation through time.
//!
//! Every F, B and W of a weighted layer runs as one GEMM over the whole
//! minibatch and all timesteps, with the shapes the workload assigns. For
//! fc, F is (B·T x in)·(in x out). A conv runs as im2col, so F is
//! (B·T·Ho·Wo x C_in·k²)·(C_in·k² x C_out), and its B is the dense
//! transposed convolution over the input grid, (B·T·H·W x C_out·k²)·
//! (C_out·k² x C_in). Layers have no bias,
//! as in the workload, whose weight update counts weights only.
//!
//! Loss: the logits of sample b are its output spike counts scaled by
//! `LOGIT_SCALE / T`, and the loss is the softmax cross-entropy averaged over
//! the minibatch.

use super::iir::{filter_backward, filter_forward, neuron_backward, neuron_forward, Coefficients, NeuronTrace, SpikeFunction};
use super::layers::{im2col, max_pool, max_pool_backward, transposed_columns, transposed_weights, Geometry, PoolTrace};
use super::opcount::OpCounts;
use super::rng::{Purpose, SplitMix};
use crate::model::{Layer, Network};
use crate::workload::TaskKind;
use ndarray::{Array2, ArrayView2, Axis};

/// Logit of a sample that spiked at every timestep on one output neuron.
pub const LOGIT_SCALE: f64 = 10.0;

/// Rows (timestep and sample pairs) per convolution GEMM. A convolution
/// runs as GEMMs over chunks of this many rows, which bounds the memory of
/// the im2col matrices. The chunks' multiply-accumulates add up to the
/// whole GEMM's.
pub const CONV_CHUNK_ROWS: usize = 32;

fn row_chunks<'a>(tensor: ArrayView2<'a, f64>) -> impl Iterator<Item = ArrayView2<'a, f64>> {
    let rows = tensor.nrows();
    (0..rows).step_by(CONV_CHUNK_ROWS).map(move |start| tensor.slice_move(ndarray::s![start..rows.min(start + CONV_CHUNK_ROWS), ..]))
}

/// One layer of the trainable network.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerKind {
    Fc { inputs: usize, outputs: usize },
    Conv(Geometry),
    Pool(Geometry),
}

impl LayerKind {
    pub fn is_weighted(&self) -> bool {
        !matches!(self, LayerKind::Pool(_))
    }

    pub fn input_features(&self) -> usize {
        match self {
            LayerKind::Fc { inputs, .. } => *inputs,
            LayerKind::Conv(g) | LayerKind::Pool(g) => g.input_features(),
        }
    }

    pub fn output_features(&self) -> usize {
        match self {
            LayerKind::Fc { outputs, .. } => *outputs,
            LayerKind::Conv(g) | LayerKind::Pool(g) => g.output_features(),
        }
    }

    /// Shape of the weight matrix: (outputs or output channels, fan-in).
    pub fn weight_shape(&self) -> Option<(usize, usize)> {
        match self {
            LayerKind::Fc { inputs, outputs } => Some((*outputs, *inputs)),
            LayerKind::Conv(g) => Some((g.out_channels, g.patch())),
            LayerKind::Pool(_) => None,
        }
    }
}

/// State that the forward pass keeps for the backward pass, per layer.
#[derive(Debug, Clone)]
pub enum LayerTrace {
    Weighted { filtered: Array2<f64>, neurons: NeuronTrace },
    Pool(PoolTrace),
}

/// The forward pass of one minibatch.
#[derive(Debug, Clone)]
pub struct ForwardTrace {
    pub batch: usize,
    pub layers: Vec<LayerTrace>,
}

impl ForwardTrace {
    /// Output spikes of the last layer, time-major.
    pub fn output_spikes(&self) -> &Array2<f64> {
        match self.layers.last() {
            Some(LayerTrace::Weighted { neurons, .. }) => &neurons.spikes,
            _ => unreachable!("networks end with a weighted layer"),
        }
    }

    /// Spike counts per sample and output neuron: [batch, classes].
    pub fn spike_counts(&self) -> Array2<f64> {
        let spikes = self.output_spikes();
        let steps = spikes.nrows() / self.batch;
        let mut counts = Array2::<f64>::zeros((self.batch, spikes.ncols()));
        for t in 0..steps {
            counts += &spikes.slice(ndarray::s![t * self.batch..(t + 1) * self.batch, ..]);
        }
        counts
    }
}

/// Loss of one minibatch and its gradient with respect to the output spikes.
#[derive(Debug, Clone)]
pub struct LossOutput {
    pub loss: f64,
    pub correct: usize,
    pub grad_spikes: Array2<f64>,
}

/// A spiking network ready to train.
#[derive(Debug, Clone)]
pub struct SpikingNetwork {
    pub layers: Vec<LayerKind>,
    pub coefficients: Coefficients,
    pub spike: SpikeFunction,
}

impl SpikingNetwork {
    /// Builds the trainable network of a validated model.
    pub fn from_model(model: &Network, spike: SpikeFunction) -> SpikingNetwork {
        let layers = model
            .layers
            .iter()
            .map(|layer| match layer {
                Layer::Fc { inputs, outputs } => LayerKind::Fc { inputs: *inputs as usize, outputs: *outputs as usize },
                Layer::Conv { input, output, kernel, stride, padding } | Layer::Pool { input, output, kernel, stride, padding } => {
                    let g = Geometry {
                        in_channels: input.channels as usize,
                        in_height: input.height as usize,
                        in_width: input.width as usize,
                        out_channels: output.channels as usize,
                        out_height: output.height as usize,
                        out_width: output.width as usize,
                        kernel: *kernel as usize,
                        stride: *stride as usize,
                        padding: *padding as usize,
                    };
                    if layer.is_weighted() {
                        LayerKind::Conv(g)
                    } else {
                        LayerKind::Pool(g)
                    }
                }
            })
            .collect();
        SpikingNetwork { layers, coefficients: Coefficients::new(&model.neuron), spike }
    }

    pub fn input_features(&self) -> usize {
        self.layers[0].input_features()
    }

    pub fn classes(&self) -> usize {
        self.layers.last().map_or(0, LayerKind::output_features)
    }

    /// Weight matrix shapes of the weighted layers, input to output.
    pub fn weight_shapes(&self) -> Vec<(usize, usize)> {
        self.layers.iter().filter_map(LayerKind::weight_shape).collect()
    }

    /// Draws initial weights uniformly from ±gain·√(3 / fan-in), so that each
    /// weight has variance gain² / fan-in.
    pub fn initial_weights(&self, seed: u64, gain: f64) -> Vec<Array2<f64>> {
        self.weight_shapes()
            .into_iter()
            .enumerate()
            .map(|(index, (rows, fan_in))| {
                let mut random = SplitMix::keyed(seed, Purpose::Weights, &[index as u64]);
                let bound = gain * (3.0 / fan_in as f64).sqrt();
                Array2::from_shape_simple_fn((rows, fan_in), || (2.0 * random.next_f64() - 1.0) * bound)
            })
            .collect()
    }

    /// Runs the forward pass of a minibatch of `batch` samples whose input
    /// spikes are time-major rows. `weights` has one matrix per weighted layer.
    pub fn forward(&self, weights: &[Array2<f64>], input: ArrayView2<f64>, batch: usize, counts: &mut OpCounts) -> ForwardTrace {
        let mut traces = Vec::with_capacity(self.layers.len());
        let mut spikes: Option<Array2<f64>> = None;
        let mut weighted = weights.iter();
        for (index, layer) in self.layers.iter().enumerate() {
            let number = index + 1;
            let input_spikes = spikes.as_ref().map_or(input, |s| s.view());
            match layer {
                LayerKind::Pool(g) => {
                    let (trace, examined) = max_pool(g, input_spikes);
                    counts.elementwise(number, TaskKind::F, examined, 1);
                    spikes = Some(trace.output.clone());
                    traces.push(LayerTrace::Pool(trace));
                }
                LayerKind::Fc { .. } | LayerKind::Conv(_) => {
                    let w = weighted.next().expect("one weight matrix per weighted layer");
                    let filtered = filter_forward(&self.coefficients, input_spikes, batch);
                    counts.elementwise(number, TaskKind::F, filtered.len(), 3);
                    let potentials = self.weighted_input(layer, number, w, filtered.view(), counts);
                    let neurons = neuron_forward(&self.coefficients, self.spike, potentials.view(), batch);
                    counts.elementwise(number, TaskKind::F, neurons.spikes.len(), 4);
                    spikes = Some(neurons.spikes.clone());
                    traces.push(LayerTrace::Weighted { filtered, neurons });
                }
            }
        }
        ForwardTrace { batch, layers: traces }
    }

    /// p = W·λ for every row: the GEMM of F.
    fn weighted_input(&self, layer: &LayerKind, number: usize, w: &Array2<f64>, filtered: ArrayView2<f64>, counts: &mut OpCounts) -> Array2<f64> {
        match layer {
            LayerKind::Fc { inputs, outputs } => {
                counts.gemm(number, TaskKind::F, filtered.nrows(), *inputs, *outputs);
                filtered.dot(&w.t())
            }
            LayerKind::Conv(g) => {
                let mut out = Array2::<f64>::zeros((filtered.nrows(), g.output_features()));
                for (chunk, mut target) in row_chunks(filtered).zip(out.axis_chunks_iter_mut(Axis(0), CONV_CHUNK_ROWS)) {
                    let columns = im2col(g, chunk);
                    counts.gemm(number, TaskKind::F, columns.nrows(), g.patch(), g.out_channels);
                    let product = columns.dot(&w.t());
                    let shape = target.dim();
                    target.assign(&product.into_shape_with_order(shape).expect("GEMM output is contiguous"));
                }
                out
            }
            LayerKind::Pool(_) => unreachable!("pools have no weights"),
        }
    }

    /// Softmax cross-entropy of the scaled spike counts against `labels`.
    pub fn loss(&self, trace: &ForwardTrace, labels: &[u8], counts: &mut OpCounts) -> LossOutput {
        let batch = trace.batch;
        let spike_counts = trace.spike_counts();
        let steps = trace.output_spikes().nrows() / batch;
        let scale = LOGIT_SCALE / steps as f64;
        let classes = spike_counts.ncols();
        counts.loss_elements += spike_counts.len() as u64;

        let mut loss = 0.0;
        let mut correct = 0;
        let mut grad_logits = Array2::<f64>::zeros((batch, classes));
        for (b, &label) in labels.iter().enumerate() {
            let logits: Vec<f64> = spike_counts.row(b).iter().map(|c| c * scale).collect();
            let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let exp: Vec<f64> = logits.iter().map(|z| (z - top).exp()).collect();
            let total: f64 = exp.iter().sum();
            loss += total.ln() + top - logits[label as usize];
            if predicted_class(spike_counts.row(b).as_slice().expect("fresh array is contiguous")) == label as usize {
                correct += 1;
            }
            for k in 0..classes {
                let target = if k == label as usize { 1.0 } else { 0.0 };
                grad_logits[[b, k]] = (exp[k] / total - target) * scale / batch as f64;
            }
        }

        // Every timestep's spike adds to the count, so each gets the count's gradient.
        let mut grad_spikes = Array2::<f64>::zeros((steps * batch, classes));
        for t in 0..steps {
            grad_spikes.slice_mut(ndarray::s![t * batch..(t + 1) * batch, ..]).assign(&grad_logits);
        }
        LossOutput { loss: loss / batch as f64, correct, grad_spikes }
    }

    /// Backpropagation through time: the weight gradients of every weighted
    /// layer, computed with the same `weights` the forward pass used.
    pub fn backward(&self, weights: &[Array2<f64>], trace: &ForwardTrace, grad_output_spikes: ArrayView2<f64>, counts: &mut OpCounts) -> Vec<Array2<f64>> {
        let batch = trace.batch;
        let count = self.layers.len();
        let mut gradients: Vec<Option<Array2<f64>>> = vec![None; weights.len()];
        let mut weight_index = weights.len();

        // The last layer's surrogate gradient and reset path belong to its F
        // task, which also computes the loss.
        let LayerTrace::Weighted { neurons, .. } = &trace.layers[count - 1] else { unreachable!("networks end with a weighted layer") };
        let mut grad = neuron_backward(&self.coefficients, self.spike, neurons.margin.view(), grad_output_spikes, batch);
        counts.elementwise(count, TaskKind::F, grad.len(), 5);

        // `grad` is ∂L/∂p for a weighted layer and ∂L/∂output for a pool.
        for index in (0..count).rev() {
            let number = index + 1;
            let below_weighted = index > 0 && self.layers[index - 1].is_weighted();
            let grad_input = match (&self.layers[index], &trace.layers[index]) {
                (LayerKind::Pool(g), LayerTrace::Pool(pool)) => {
                    if index == 0 {
                        break;
                    }
                    let grad_input = max_pool_backward(g, pool, grad.view());
                    counts.elementwise(number, TaskKind::B, grad_input.len(), 1);
                    grad_input
                }
                (layer, LayerTrace::Weighted { filtered, .. }) => {
                    weight_index -= 1;
                    let w = &weights[weight_index];
                    gradients[weight_index] = Some(self.weight_gradient(layer, number, filtered.view(), grad.view(), counts));
                    if index == 0 {
                        break;
                    }
                    let grad_filtered = self.filtered_input_gradient(layer, number, w, grad.view(), counts);
                    let grad_input = filter_backward(&self.coefficients, grad_filtered.view(), batch);
                    counts.elementwise(number, TaskKind::B, grad_input.len(), 3);
                    grad_input
                }
                _ => unreachable!("trace matches layers"),
            };
            grad = if below_weighted {
                // The surrogate gradient and reset path of the layer below
                // belong to this layer's B task.
                let LayerTrace::Weighted { neurons, .. } = &trace.layers[index - 1] else { unreachable!() };
                let g = neuron_backward(&self.coefficients, self.spike, neurons.margin.view(), grad_input.view(), batch);
                counts.elementwise(number, TaskKind::B, g.len(), 5);
                g
            } else {
                grad_input
            };
        }
        gradients.into_iter().map(|g| g.expect("every weighted layer gets a gradient")).collect()
    }

    /// ∂L/∂W from the saved filtered input and ∂L/∂p: the GEMM of W.
    fn weight_gradient(&self, layer: &LayerKind, number: usize, filtered: ArrayView2<f64>, grad: ArrayView2<f64>, counts: &mut OpCounts) -> Array2<f64> {
        match layer {
            LayerKind::Fc { inputs, outputs } => {
                counts.gemm(number, TaskKind::W, *inputs, grad.nrows(), *outputs);
                grad.t().dot(&filtered)
            }
            LayerKind::Conv(g) => {
                let mut gradient = Array2::<f64>::zeros((g.out_channels, g.patch()));
                for (chunk, grad_chunk) in row_chunks(filtered).zip(row_chunks(grad)) {
                    let columns = im2col(g, chunk);
                    let rows = columns.nrows();
                    let grad_chunk = grad_chunk.to_shape((rows, g.out_channels)).expect("gradient rows are contiguous");
                    counts.gemm(number, TaskKind::W, g.patch(), rows, g.out_channels);
                    ndarray::linalg::general_mat_mul(1.0, &grad_chunk.t(), &columns, 1.0, &mut gradient);
                }
                gradient
            }
            LayerKind::Pool(_) => unreachable!("pools have no weights"),
        }
    }

    /// ∂L/∂λ from ∂L/∂p: the GEMM of B.
    fn filtered_input_gradient(&self, layer: &LayerKind, number: usize, w: &Array2<f64>, grad: ArrayView2<f64>, counts: &mut OpCounts) -> Array2<f64> {
        match layer {
            LayerKind::Fc { inputs, outputs } => {
                counts.gemm(number, TaskKind::B, grad.nrows(), *outputs, *inputs);
                grad.dot(w)
            }
            LayerKind::Conv(g) => {
                let flipped = transposed_weights(g, w.view());
                let mut out = Array2::<f64>::zeros((grad.nrows(), g.input_features()));
                for (chunk, mut target) in row_chunks(grad).zip(out.axis_chunks_iter_mut(Axis(0), CONV_CHUNK_ROWS)) {
                    let columns = transposed_columns(g, chunk);
                    counts.gemm(number, TaskKind::B, columns.nrows(), columns.ncols(), g.in_channels);
                    let product = columns.dot(&flipped);
                    let shape = target.dim();
                    target.assign(&product.into_shape_with_order(shape).expect("GEMM output is contiguous"));
                }
                out
            }
            LayerKind::Pool(_) => unreachable!("pools have no weights"),
        }
    }
}

/// Returns the class with the most output spikes, the lowest one on a tie.
pub fn predicted_class(counts: &[f64]) -> usize {
    let mut best = 0;
    for (k, &c) in counts.iter().enumerate() {
        if c > counts[best] {
            best = k;
        }
    }
    best
}
