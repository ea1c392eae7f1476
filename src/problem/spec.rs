//! Problem files as written: plain serde structs for both kinds of problem
//! file, converted once into a validated [`Problem`](super::Problem).
//!
//! Fields that accept more than one form (a path or an inline model, one
//! array group or a list) use small visitors instead of untagged enums, so
//! that errors inside them keep their line and column.

use super::fields::{self, ArrayCount, Bandwidth, Bytes, Cycles, Delay, Dimension, Distance, Iterations, Processors, UpdateOps, ValueBits, Whole};
use crate::model::ModelSpec;
use crate::workload::DelayPolicy;
use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Top-level keys of a network problem.
pub const NETWORK_KEYS: &[&str] = &[
    "name", "network", "batch", "timesteps", "arrays", "link", "value_bits",
    "update_ops_per_weight", "gradient_delay", "objective", "iterations", "tiling",
];

/// Top-level keys of a task-graph problem.
pub const TASK_GRAPH_KEYS: &[&str] =
    &["name", "processors", "objective", "iterations", "link", "tasks", "edges", "stg"];

/// A problem file of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemSpec {
    Network(NetworkProblemSpec),
    TaskGraph(TaskGraphSpec),
}

impl ProblemSpec {
    /// Whether building the problem reads other files (a model path or an
    /// STG file).
    pub fn references_files(&self) -> bool {
        match self {
            ProblemSpec::Network(spec) => matches!(spec.network, NetworkRef::Path(_)),
            ProblemSpec::TaskGraph(spec) => spec.stg.is_some(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a network problem mapping")]
pub struct NetworkProblemSpec {
    pub name: String,
    pub network: NetworkRef,
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub batch: Option<u64>,
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub timesteps: Option<u64>,
    pub arrays: OneOrMany<ArrayGroupSpec>,
    pub link: Option<LinkSpec>,
    #[serde(default, deserialize_with = "fields::optional::<ValueBits, _>")]
    pub value_bits: Option<u64>,
    #[serde(default, deserialize_with = "fields::optional::<UpdateOps, _>")]
    pub update_ops_per_weight: Option<u64>,
    pub gradient_delay: Option<DelaySpec>,
    pub objective: Option<String>,
    #[serde(default, deserialize_with = "fields::optional::<Iterations, _>")]
    pub iterations: Option<u64>,
    /// Splits layers' tasks into tiles; absent: no tiling.
    #[serde(default)]
    pub tiling: Option<TilingSpec>,
}

/// `tiling:` one split for the whole network (`split` and `tiles`), per-layer
/// entries under `layers` keyed by layer number, or both (a layer's own entry
/// wins).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TilingSpec {
    pub split: Option<String>,
    pub tiles: Option<u64>,
    #[serde(default)]
    pub layers: std::collections::BTreeMap<u64, LayerTilingSpec>,
}

/// The tiling of one layer: `split` is `time` or `channels`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LayerTilingSpec {
    pub split: String,
    pub tiles: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "an array group such as {count: 2, rows: 128, cols: 128, dataflow: weight-stationary}")]
pub struct ArrayGroupSpec {
    #[serde(deserialize_with = "fields::whole::<ArrayCount, _>")]
    pub count: u64,
    #[serde(deserialize_with = "fields::whole::<Dimension, _>")]
    pub rows: u64,
    #[serde(deserialize_with = "fields::whole::<Dimension, _>")]
    pub cols: u64,
    pub dataflow: String,
    #[serde(default, deserialize_with = "fields::optional::<Dimension, _>")]
    pub vector_lanes: Option<u64>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a link such as {latency_cycles: 100, bytes_per_cycle: 32}")]
pub struct LinkSpec {
    #[serde(deserialize_with = "fields::whole::<Cycles, _>")]
    pub latency_cycles: u64,
    #[serde(deserialize_with = "fields::whole::<Bandwidth, _>")]
    pub bytes_per_cycle: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a task-graph problem mapping")]
pub struct TaskGraphSpec {
    pub name: String,
    #[serde(default, deserialize_with = "fields::optional::<Processors, _>")]
    pub processors: Option<u64>,
    pub objective: Option<String>,
    #[serde(default, deserialize_with = "fields::optional::<Iterations, _>")]
    pub iterations: Option<u64>,
    pub link: Option<LinkSpec>,
    pub tasks: Option<Vec<TaskSpec>>,
    pub edges: Option<Vec<EdgeSpec>>,
    /// A Kasahara STG file, relative to the problem file, in place of `tasks`.
    pub stg: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a task such as {id: a, duration: 3}")]
pub struct TaskSpec {
    pub id: TaskId,
    #[serde(deserialize_with = "fields::whole::<Cycles, _>")]
    pub duration: u64,
    #[serde(default)]
    pub after: Vec<TaskId>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "an edge such as {from: a, to: b, distance: 1, bytes: 64}")]
pub struct EdgeSpec {
    pub from: TaskId,
    pub to: TaskId,
    #[serde(default, deserialize_with = "fields::whole::<Distance, _>")]
    pub distance: u64,
    #[serde(default, deserialize_with = "fields::whole::<Bytes, _>")]
    pub bytes: u64,
}

/// A task id: a string or an integer, kept as its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskId(pub String);

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = TaskId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a task id (a string or an integer)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TaskId, E> {
                Ok(TaskId(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TaskId, E> {
                Ok(TaskId(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TaskId, E> {
                Ok(TaskId(v.to_string()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// `network:` either names a model file or holds the model inline.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkRef {
    Path(String),
    Inline(Box<ModelSpec>),
}

impl<'de> Deserialize<'de> for NetworkRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NetworkVisitor;
        impl<'de> Visitor<'de> for NetworkVisitor {
            type Value = NetworkRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a model file path or an inline model")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NetworkRef, E> {
                Ok(NetworkRef::Path(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NetworkRef, A::Error> {
                let spec = ModelSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(NetworkRef::Inline(Box::new(spec)))
            }
        }
        deserializer.deserialize_any(NetworkVisitor)
    }
}

/// One item or a list of items.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("one mapping or a list of mappings")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany<T>, A::Error> {
                Ok(OneOrMany(vec![T::deserialize(de::value::MapAccessDeserializer::new(map))?]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany<T>, A::Error> {
                Ok(OneOrMany(Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))?))
            }
        }
        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

/// `gradient_delay:` a policy name, one integer, or a list of integers.
#[derive(Debug, Clone, PartialEq)]
pub struct DelaySpec(pub DelayPolicy);

impl<'de> Deserialize<'de> for DelaySpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DelayVisitor;
        impl<'de> Visitor<'de> for DelayVisitor {
            type Value = DelaySpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("synchronous, pipedream, an integer, or a list of integers")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DelaySpec, E> {
                Ok(DelaySpec(DelayPolicy::Named(v.to_string())))
            }
            // Numbers go through the range check of `Delay`, which keeps
            // the position of a 0, negative or fractional delay.
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DelaySpec, E> {
                uniform(Whole::<Delay>::deserialize(v.into_deserializer())?)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DelaySpec, E> {
                uniform(Whole::<Delay>::deserialize(v.into_deserializer())?)
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<DelaySpec, E> {
                uniform(Whole::<Delay>::deserialize(v.into_deserializer())?)
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<DelaySpec, E> {
                uniform(Whole::<Delay>::deserialize(v.into_deserializer())?)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DelaySpec, E> {
                uniform(Whole::<Delay>::deserialize(v.into_deserializer())?)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<DelaySpec, A::Error> {
                let values = Vec::<Whole<Delay>>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                // Delays are at most `MAX_DELAY`, so they fit in an i64.
                Ok(DelaySpec(DelayPolicy::PerLayer(values.into_iter().map(|w| w.0 as i64).collect())))
            }
        }
        fn uniform<E>(delay: Whole<Delay>) -> Result<DelaySpec, E> {
            Ok(DelaySpec(DelayPolicy::Uniform(delay.0 as i64)))
        }
        deserializer.deserialize_any(DelayVisitor)
    }
}
