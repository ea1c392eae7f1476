//! The IIR-SNN neuron of Fang et al., "Exploiting Neuron and Synapse Filter
//! Dynamics in Spatial Temporal Learning of Deep Spiking Neural Network"
//! (arXiv 2003.02944), forward and backward in time.
//!
//! A weighted layer filters its input spikes s with a second-order synapse
//! filter, λ[t] = α1·λ[t−1] + α2·λ[t−2] + β·s[t], with α1 = e^(−1/τm) +
//! e^(−1/τs), α2 = −e^(−1/τm)·e^(−1/τs) and β = e^(−1/τm) − e^(−1/τs). Its
//! neurons take p[t] = W·λ[t] and compute v[t] = p[t] − r[t−1], spikes
//! o[t] = H(v[t] − θ) and the reset r[t] = e^(−1/τm)·r[t−1] + o[t].
//!
//! Backpropagation through time runs the same recurrences backwards. For the
//! filter, with g the gradient with respect to λ summed over its uses:
//! G[t] = g[t] + α1·G[t+1] + α2·G[t+2] and ∂L/∂s[t] = β·G[t]. For the neuron,
//! with R[t] = ∂L/∂r[t] and e[t] the gradient arriving at o[t] from the layer
//! above: ∂L/∂v[t] = (e[t] + R[t])·H'(v[t] − θ), R[t−1] = e^(−1/τm)·R[t] −
//! ∂L/∂v[t], and ∂L/∂p[t] = ∂L/∂v[t].
//!
//! Tensors are time-major: row `t * batch + b` contains sample b at timestep t.

use crate::model::Neuron;
use ndarray::{Array2, ArrayView2, Zip};

/// The spike function H and the derivative the backward pass uses for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpikeFunction {
    /// H is the Heaviside step; the backward pass uses the surrogate
    /// derivative of a sigmoid of the given slope, k·σ(kx)·(1 − σ(kx)).
    Step { surrogate_slope: f64 },
    /// Test mode: H is the sigmoid σ(kx) itself, so the network is smooth and
    /// its exact gradient can be checked by finite differences.
    Sigmoid { slope: f64 },
}

impl SpikeFunction {
    pub fn value(&self, x: f64) -> f64 {
        match *self {
            SpikeFunction::Step { .. } => {
                if x >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            SpikeFunction::Sigmoid { slope } => sigmoid(slope * x),
        }
    }

    pub fn derivative(&self, x: f64) -> f64 {
        let slope = match *self {
            SpikeFunction::Step { surrogate_slope } => surrogate_slope,
            SpikeFunction::Sigmoid { slope } => slope,
        };
        let s = sigmoid(slope * x);
        slope * s * (1.0 - s)
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Filter and reset coefficients derived from the neuron parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    pub alpha1: f64,
    pub alpha2: f64,
    pub beta: f64,
    /// e^(−1/τm), the decay of the reset filter.
    pub reset_decay: f64,
    pub threshold: f64,
}

impl Coefficients {
    pub fn new(neuron: &Neuron) -> Coefficients {
        let m = (-1.0 / neuron.tau_m).exp();
        let s = (-1.0 / neuron.tau_s).exp();
        Coefficients { alpha1: m + s, alpha2: -m * s, beta: m - s, reset_decay: m, threshold: neuron.threshold }
    }
}

/// Runs the synapse filter over `spikes` (time-major, `batch` rows per step).
pub fn filter_forward(c: &Coefficients, spikes: ArrayView2<f64>, batch: usize) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros(spikes.raw_dim());
    let steps = spikes.nrows() / batch;
    for t in 0..steps {
        let rows = t * batch..(t + 1) * batch;
        let (done, mut rest) = out.view_mut().split_at(ndarray::Axis(0), t * batch);
        let mut now = rest.slice_mut(ndarray::s![..batch, ..]);
        now.assign(&spikes.slice(ndarray::s![rows, ..]));
        now *= c.beta;
        if t >= 1 {
            now.scaled_add(c.alpha1, &done.slice(ndarray::s![(t - 1) * batch..t * batch, ..]));
        }
        if t >= 2 {
            now.scaled_add(c.alpha2, &done.slice(ndarray::s![(t - 2) * batch..(t - 1) * batch, ..]));
        }
    }
    out
}

/// Runs the synapse filter backwards: from ∂L/∂λ to ∂L/∂s.
pub fn filter_backward(c: &Coefficients, grad_filtered: ArrayView2<f64>, batch: usize) -> Array2<f64> {
    let mut acc = Array2::<f64>::zeros(grad_filtered.raw_dim());
    let steps = grad_filtered.nrows() / batch;
    for t in (0..steps).rev() {
        let (mut head, later) = acc.view_mut().split_at(ndarray::Axis(0), (t + 1) * batch);
        let mut now = head.slice_mut(ndarray::s![t * batch.., ..]);
        now.assign(&grad_filtered.slice(ndarray::s![t * batch..(t + 1) * batch, ..]));
        if t + 1 < steps {
            now.scaled_add(c.alpha1, &later.slice(ndarray::s![..batch, ..]));
        }
        if t + 2 < steps {
            now.scaled_add(c.alpha2, &later.slice(ndarray::s![batch..2 * batch, ..]));
        }
    }
    acc *= c.beta;
    acc
}

/// Output of the neurons of one layer over all timesteps.
#[derive(Debug, Clone)]
pub struct NeuronTrace {
    pub spikes: Array2<f64>,
    /// v[t] − θ, kept for the backward pass.
    pub margin: Array2<f64>,
}

/// Runs the neurons on the weighted inputs p = W·λ.
pub fn neuron_forward(c: &Coefficients, f: SpikeFunction, weighted: ArrayView2<f64>, batch: usize) -> NeuronTrace {
    let features = weighted.ncols();
    let mut spikes = Array2::<f64>::zeros(weighted.raw_dim());
    let mut margin = Array2::<f64>::zeros(weighted.raw_dim());
    let mut reset = Array2::<f64>::zeros((batch, features));
    let steps = weighted.nrows() / batch;
    for t in 0..steps {
        let rows = ndarray::s![t * batch..(t + 1) * batch, ..];
        Zip::from(margin.slice_mut(rows))
            .and(spikes.slice_mut(rows))
            .and(&mut reset)
            .and(weighted.slice(rows))
            .for_each(|m, o, r, &p| {
                *m = p - *r - c.threshold;
                *o = f.value(*m);
                *r = c.reset_decay * *r + *o;
            });
    }
    NeuronTrace { spikes, margin }
}

/// Runs the neurons backwards: from the gradient arriving at the spikes to
/// ∂L/∂p, through the spike function and the reset path.
pub fn neuron_backward(c: &Coefficients, f: SpikeFunction, margin: ArrayView2<f64>, grad_spikes: ArrayView2<f64>, batch: usize) -> Array2<f64> {
    let features = margin.ncols();
    let mut grad_weighted = Array2::<f64>::zeros(margin.raw_dim());
    let mut grad_reset = Array2::<f64>::zeros((batch, features));
    let steps = margin.nrows() / batch;
    for t in (0..steps).rev() {
        let rows = ndarray::s![t * batch..(t + 1) * batch, ..];
        Zip::from(grad_weighted.slice_mut(rows))
            .and(&mut grad_reset)
            .and(margin.slice(rows))
            .and(grad_spikes.slice(rows))
            .for_each(|gp, gr, &m, &e| {
                let gv = (e + *gr) * f.derivative(m);
                *gp = gv;
                *gr = c.reset_decay * *gr - gv;
            });
    }
    grad_weighted
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn coefficients() -> Coefficients {
        Coefficients::new(&Neuron::default())
    }

    #[test]
    fn coefficients_match_formulas() {
        let c = coefficients();
        let (m, s) = ((-0.25f64).exp(), (-1.0f64).exp());
        assert!((c.alpha1 - (m + s)).abs() < 1e-15);
        assert!((c.alpha2 + m * s).abs() < 1e-15);
        assert!((c.beta - (m - s)).abs() < 1e-15);
    }

    #[test]
    fn filter_impulse_response() {
        // One spike at t = 0: λ[0] = β, λ[1] = α1·β, λ[2] = (α1² + α2)·β.
        let c = coefficients();
        let spikes = array![[1.0], [0.0], [0.0]];
        let out = filter_forward(&c, spikes.view(), 1);
        assert!((out[[0, 0]] - c.beta).abs() < 1e-15);
        assert!((out[[1, 0]] - c.alpha1 * c.beta).abs() < 1e-15);
        assert!((out[[2, 0]] - (c.alpha1 * c.alpha1 + c.alpha2) * c.beta).abs() < 1e-15);
    }

    #[test]
    fn filter_backward_is_adjoint() {
        // <filter(s), g> = <s, filter_backward(g)> for a linear filter.
        let c = coefficients();
        let s = array![[1.0, 0.5], [0.0, 2.0], [3.0, -1.0], [0.5, 0.0], [1.0, 1.0], [-2.0, 0.25]];
        let g = array![[0.3, -1.0], [2.0, 0.1], [-0.5, 0.7], [1.5, 0.2], [0.0, 1.0], [0.9, -0.4]];
        let lhs = (&filter_forward(&c, s.view(), 2) * &g).sum();
        let rhs = (&s * &filter_backward(&c, g.view(), 2)).sum();
        assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
    }

    #[test]
    fn neuron_resets_after_spike() {
        // Constant input 1.5: a spike at t = 0, then the reset decays by
        // m = e^(−1/4) per step until v ≥ 1 again.
        let c = coefficients();
        let f = SpikeFunction::Step { surrogate_slope: 5.0 };
        let input = Array2::from_elem((6, 1), 1.5);
        let trace = neuron_forward(&c, f, input.view(), 1);
        let spikes: Vec<f64> = trace.spikes.column(0).to_vec();
        // r[t−1] = m^(t−1) after the spike at t = 0, so v[t] = 1.5 − m^(t−1)
        // reaches 1 when t − 1 ≥ 4·ln 2 = 2.77, that is at t = 4.
        assert_eq!(spikes, vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }
}
