//! Spiking network models: the YAML description of a network and the validated
//! network with the input and output shape of every layer inferred.
//!
//! Layers are numbered from 1 in file order, pools included. A fully connected
//! layer after a convolution or a pool flattens its input (channels x height x
//! width). Output sizes follow the usual convolution arithmetic,
//! `out = (in + 2·padding − kernel) / stride + 1`, rounded down.

mod spec;

pub use spec::{LayerSpec, ModelSpec, NeuronSpec};

use crate::error::InputError;
use std::path::Path;

/// Parameters of the IIR-SNN neuron: membrane and synapse time constants in
/// timesteps, and the firing threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neuron {
    pub tau_m: f64,
    pub tau_s: f64,
    pub threshold: f64,
}

impl Default for Neuron {
    fn default() -> Self {
        Neuron { tau_m: 4.0, tau_s: 1.0, threshold: 1.0 }
    }
}

/// Shape of a feature map: channels x height x width. A flat vector of `n`
/// features is `n x 1 x 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub channels: u64,
    pub height: u64,
    pub width: u64,
}

impl Shape {
    /// Channels x height x width, saturating: a shape too large for a u64
    /// then fails the size check instead of wrapping to a small value.
    pub fn elements(&self) -> u64 {
        self.channels.saturating_mul(self.height).saturating_mul(self.width)
    }
}

/// One layer with its inferred input and output shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    Fc { inputs: u64, outputs: u64 },
    Conv { input: Shape, output: Shape, kernel: u64, stride: u64, padding: u64 },
    Pool { input: Shape, output: Shape, kernel: u64, stride: u64, padding: u64 },
}

impl Layer {
    /// Whether the layer has weights and spiking neurons (fc and conv).
    pub fn is_weighted(&self) -> bool {
        !matches!(self, Layer::Pool { .. })
    }

    /// Input elements per sample and timestep.
    pub fn input_elements(&self) -> u64 {
        match self {
            Layer::Fc { inputs, .. } => *inputs,
            Layer::Conv { input, .. } | Layer::Pool { input, .. } => input.elements(),
        }
    }

    /// Output elements per sample and timestep.
    pub fn output_elements(&self) -> u64 {
        match self {
            Layer::Fc { outputs, .. } => *outputs,
            Layer::Conv { output, .. } | Layer::Pool { output, .. } => output.elements(),
        }
    }

    /// Number of weights (biases excluded); 0 for a pool.
    pub fn weights(&self) -> u64 {
        match self {
            Layer::Fc { inputs, outputs } => inputs.saturating_mul(*outputs),
            Layer::Conv { input, output, kernel, .. } => {
                input.channels.saturating_mul(output.channels).saturating_mul(kernel.saturating_mul(*kernel))
            }
            Layer::Pool { .. } => 0,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Layer::Fc { .. } => "fc",
            Layer::Conv { .. } => "conv",
            Layer::Pool { .. } => "pool",
        }
    }
}

/// A validated network: the layers with their shapes and the training
/// parameters that scale the workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub name: String,
    pub input: Shape,
    pub timesteps: u64,
    pub batch: u64,
    pub neuron: Neuron,
    /// Layer `l` (1-based in files and task names) is `layers[l - 1]`.
    pub layers: Vec<Layer>,
}

/// Largest accepted size of one layer dimension, batch or timestep count.
/// Products of four such values stay far below `u64::MAX`.
pub const MAX_DIMENSION: u64 = 1 << 24;

impl Network {
    /// Reads and validates a model file.
    pub fn load(path: &Path) -> Result<Network, InputError> {
        let text = crate::problem::read_text(path)?;
        let spec = ModelSpec::parse(path, &text)?;
        Network::from_spec(path, &spec)
    }

    /// Validates a parsed model and infers every layer's shapes. `path` names
    /// the file in error messages.
    pub fn from_spec(path: &Path, spec: &ModelSpec) -> Result<Network, InputError> {
        let fail = |message: String| InputError::new(path, message);
        let input = match spec.input.as_slice() {
            [features] => Shape { channels: *features, height: 1, width: 1 },
            [channels, height, width] => Shape { channels: *channels, height: *height, width: *width },
            other => {
                return Err(fail(format!(
                    "model `input` has {} entries; give [features] or [channels, height, width]",
                    other.len()
                )))
            }
        };
        let spatial_input = spec.input.len() == 3;
        let missing = |key: &str| fail(format!("model has no `{key}`; add `{key}: N` to the model or to the problem file"));
        let timesteps = spec.timesteps.ok_or_else(|| missing("timesteps"))?;
        let batch = spec.batch.ok_or_else(|| missing("batch"))?;
        for (what, value) in [
            ("input size", input.channels),
            ("input size", input.height),
            ("input size", input.width),
            ("timesteps", timesteps),
            ("batch", batch),
        ] {
            check_dimension(path, what, value)?;
        }
        // Each size is at most 2^24, so the product fits in a u64 (2^72 would
        // not, hence the checked multiplication).
        let input_elements = u128::from(input.channels) * u128::from(input.height) * u128::from(input.width);
        if input_elements > u128::from(MAX_DIMENSION) {
            return Err(fail(format!(
                "model `input` has {input_elements} elements (channels x height x width), above the supported maximum {MAX_DIMENSION}; use a smaller input"
            )));
        }
        let neuron = match &spec.neuron {
            None => Neuron::default(),
            Some(n) => {
                let d = Neuron::default();
                let neuron = Neuron {
                    tau_m: n.tau_m.unwrap_or(d.tau_m),
                    tau_s: n.tau_s.unwrap_or(d.tau_s),
                    threshold: n.threshold.unwrap_or(d.threshold),
                };
                for (what, value) in [("tau_m", neuron.tau_m), ("tau_s", neuron.tau_s), ("threshold", neuron.threshold)] {
                    if !(value.is_finite() && value > 0.0) {
                        return Err(fail(format!("neuron `{what}` is {value}; give a positive number")));
                    }
                }
                neuron
            }
        };
        if spec.layers.is_empty() {
            return Err(fail("model has no layers; list at least one under `layers`".into()));
        }

        let mut layers = Vec::with_capacity(spec.layers.len());
        let mut shape = input;
        let mut spatial = spatial_input;
        for (index, layer) in spec.layers.iter().enumerate() {
            let number = index + 1;
            let built = build_layer(path, number, layer, shape, spatial)?;
            shape = match &built {
                Layer::Fc { outputs, .. } => {
                    spatial = false;
                    Shape { channels: *outputs, height: 1, width: 1 }
                }
                Layer::Conv { output, .. } | Layer::Pool { output, .. } => *output,
            };
            let output_elements = u128::from(shape.channels) * u128::from(shape.height) * u128::from(shape.width);
            if output_elements > u128::from(MAX_DIMENSION) {
                return Err(fail(format!(
                    "layer {number} ({}) outputs {output_elements} elements ({}x{}x{}), above the supported maximum {MAX_DIMENSION}; use fewer channels or a smaller input, kernel or padding",
                    built.type_name(),
                    shape.channels,
                    shape.height,
                    shape.width
                )));
            }
            check_workload_size(path, number, &built, batch * timesteps)?;
            layers.push(built);
        }
        if !layers.last().is_some_and(Layer::is_weighted) {
            return Err(fail("the last layer is a pool; end the network with an fc or conv layer".into()));
        }
        Ok(Network {
            name: spec.name.clone(),
            input,
            timesteps,
            batch,
            neuron,
            layers,
        })
    }

    /// Layer `l`, 1-based.
    pub fn layer(&self, number: usize) -> &Layer {
        &self.layers[number - 1]
    }

    /// Numbers (1-based) of the weighted layers, input to output.
    pub fn weighted_layers(&self) -> Vec<usize> {
        (1..=self.layers.len()).filter(|&l| self.layer(l).is_weighted()).collect()
    }
}

fn check_dimension(path: &Path, what: &str, value: u64) -> Result<(), InputError> {
    if value == 0 {
        return Err(InputError::new(path, format!("{what} is 0; give a positive integer")));
    }
    if value > MAX_DIMENSION {
        return Err(InputError::new(
            path,
            format!("{what} is {value}, above the supported maximum {MAX_DIMENSION}; use a smaller value"),
        ));
    }
    Ok(())
}

/// Largest accepted product of the sizes that enter one layer's workload, so
/// that every GEMM operand, element count and cycle count fits in a `u64`.
pub const MAX_WORKLOAD: u64 = 1 << 60;

/// Rejects a layer whose GEMM operands or elementwise counts over the whole
/// minibatch could overflow. The product bounds every M·K, K·N and M·N.
fn check_workload_size(path: &Path, number: usize, layer: &Layer, batch_timesteps: u64) -> Result<(), InputError> {
    let (channels, kernel_area, padded_area) = match layer {
        Layer::Fc { inputs, outputs } => (inputs + outputs, 1, 1),
        Layer::Conv { input, output, kernel, padding, .. } | Layer::Pool { input, output, kernel, padding, .. } => (
            input.channels + output.channels,
            kernel * kernel,
            (input.height + 2 * padding) * (input.width + 2 * padding),
        ),
    };
    let factors = [batch_timesteps, layer.input_elements() + layer.output_elements() + padded_area, channels, kernel_area];
    let product = factors.iter().try_fold(1u64, |acc, &f| acc.checked_mul(f).filter(|&p| p <= MAX_WORKLOAD));
    if product.is_none() {
        return Err(InputError::new(
            path,
            format!("layer {number} ({}) is too large to cost: batch x timesteps x its sizes exceed 2^60; use a smaller batch, timestep count or layer", layer.type_name()),
        ));
    }
    Ok(())
}

fn build_layer(path: &Path, number: usize, spec: &LayerSpec, input: Shape, spatial: bool) -> Result<Layer, InputError> {
    let fail = |message: String| InputError::new(path, format!("layer {number} ({}): {message}", spec.kind));
    let require = |field: Option<u64>, name: &str| -> Result<u64, InputError> {
        let value = field.ok_or_else(|| fail(format!("missing `{name}`; add it")))?;
        check_dimension(path, &format!("layer {number} `{name}`"), value)?;
        Ok(value)
    };
    let forbid = |field: Option<u64>, name: &str| -> Result<(), InputError> {
        match field {
            Some(_) => Err(fail(format!("`{name}` does not apply to this layer type; remove it"))),
            None => Ok(()),
        }
    };
    match spec.kind.as_str() {
        "fc" => {
            forbid(spec.kernel, "kernel")?;
            forbid(spec.stride, "stride")?;
            forbid(spec.padding, "padding")?;
            let outputs = require(spec.out, "out")?;
            Ok(Layer::Fc { inputs: input.elements(), outputs })
        }
        "conv" | "pool" => {
            if !spatial {
                return Err(fail(
                    "needs a [channels, height, width] input, but its input is flat; give the model input as [channels, height, width] and put conv and pool layers before the fc layers".into(),
                ));
            }
            let kernel = require(spec.kernel, "kernel")?;
            let is_conv = spec.kind == "conv";
            let out_channels = if is_conv {
                require(spec.out, "out")?
            } else {
                forbid(spec.out, "out")?;
                input.channels
            };
            let stride = match spec.stride {
                Some(s) => {
                    check_dimension(path, &format!("layer {number} `stride`"), s)?;
                    s
                }
                None if is_conv => 1,
                None => kernel,
            };
            let padding = spec.padding.unwrap_or(0);
            if padding >= kernel {
                return Err(fail(format!(
                    "padding {padding} is not smaller than kernel {kernel}; use padding at most {}",
                    kernel - 1
                )));
            }
            let padded_h = input.height + 2 * padding;
            let padded_w = input.width + 2 * padding;
            if kernel > padded_h || kernel > padded_w {
                return Err(fail(format!(
                    "kernel {kernel} is larger than its padded input {padded_h}x{padded_w}; use a smaller kernel or more padding"
                )));
            }
            let output = Shape {
                channels: out_channels,
                height: (padded_h - kernel) / stride + 1,
                width: (padded_w - kernel) / stride + 1,
            };
            Ok(if is_conv {
                Layer::Conv { input, output, kernel, stride, padding }
            } else {
                Layer::Pool { input, output, kernel, stride, padding }
            })
        }
        other => Err(fail(format!("unknown layer type `{other}`; use fc, conv or pool"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(yaml: &str) -> Result<Network, InputError> {
        let path = Path::new("test.yaml");
        let spec = ModelSpec::parse(path, yaml)?;
        Network::from_spec(path, &spec)
    }

    #[test]
    fn conv_and_pool_shapes_follow_arithmetic() {
        let net = network(
            "name: n\ninput: [2, 34, 34]\ntimesteps: 30\nbatch: 48\nlayers:\n\
             - {type: conv, out: 32, kernel: 3, padding: 1}\n\
             - {type: pool, kernel: 2, stride: 2, padding: 1}\n\
             - {type: pool, kernel: 2}\n\
             - {type: fc, out: 10}\n",
        )
        .unwrap();
        let Layer::Pool { output, .. } = net.layer(2) else { panic!() };
        assert_eq!((output.channels, output.height, output.width), (32, 18, 18));
        let Layer::Pool { output, .. } = net.layer(3) else { panic!() };
        assert_eq!((output.height, output.width), (9, 9));
        assert_eq!(net.layer(4), &Layer::Fc { inputs: 32 * 81, outputs: 10 });
    }

    #[test]
    fn kernel_larger_than_input_is_rejected() {
        let error = network("name: n\ninput: [1, 4, 4]\ntimesteps: 1\nbatch: 1\nlayers:\n- {type: conv, out: 2, kernel: 5}\n")
            .unwrap_err();
        assert!(error.message.contains("kernel 5 is larger"), "{error}");
    }

    #[test]
    fn conv_after_fc_is_rejected() {
        let error = network(
            "name: n\ninput: [1, 4, 4]\ntimesteps: 1\nbatch: 1\nlayers:\n- {type: fc, out: 2}\n- {type: conv, out: 2, kernel: 1}\n",
        )
        .unwrap_err();
        assert!(error.message.contains("flat"), "{error}");
    }
}
