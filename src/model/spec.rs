//! The model file as written: plain serde structs, converted once into a
//! validated [`Network`](super::Network).

use crate::error::InputError;
use crate::problem::fields::{self, Dimension, Padding};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a model mapping with name, input, timesteps, batch and layers")]
pub struct ModelSpec {
    pub name: String,
    #[serde(deserialize_with = "fields::list::<Dimension, _>")]
    pub input: Vec<u64>,
    /// Required unless a problem file that embeds the model sets it.
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub timesteps: Option<u64>,
    /// Required unless a problem file that embeds the model sets it.
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub batch: Option<u64>,
    #[serde(default)]
    pub neuron: Option<NeuronSpec>,
    pub layers: Vec<LayerSpec>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "neuron parameters such as {tau_m: 4, tau_s: 1, threshold: 1}")]
pub struct NeuronSpec {
    pub tau_m: Option<f64>,
    pub tau_s: Option<f64>,
    pub threshold: Option<f64>,
}

/// One entry of `layers`. All fields are optional here so that a missing or
/// misplaced field gets a message naming the layer, not a generic one.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a layer such as {type: fc, out: 10}")]
pub struct LayerSpec {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub out: Option<u64>,
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub kernel: Option<u64>,
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub stride: Option<u64>,
    #[serde(default, deserialize_with = "fields::optional::<Padding, _>")]
    pub padding: Option<u64>,
}

impl ModelSpec {
    /// Parses model YAML; `path` names the file in error messages.
    pub fn parse(path: &Path, text: &str) -> Result<ModelSpec, InputError> {
        crate::problem::parse_yaml(path, text)
    }
}
