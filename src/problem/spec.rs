//! Problem files as written: plain serde structs for both kinds of problem
//! file, converted once into a validated [`Problem`](super::Problem).
//!
//! Fields that accept more than one form (a path or an inline model, one
//! array group or a list) use small visitors instead of untagged enums, so
//! that errors inside them keep their line and column.

use crate::model::ModelSpec;
use crate::workload::DelayPolicy;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
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

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkProblemSpec {
    pub name: String,
    pub network: NetworkRef,
    pub batch: Option<u64>,
    pub timesteps: Option<u64>,
    pub arrays: OneOrMany<ArrayGroupSpec>,
    pub link: Option<LinkSpec>,
    pub value_bits: Option<u64>,
    pub update_ops_per_weight: Option<u64>,
    pub gradient_delay: Option<DelaySpec>,
    pub objective: Option<String>,
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
#[serde(deny_unknown_fields)]
pub struct ArrayGroupSpec {
    pub count: u64,
    pub rows: u64,
    pub cols: u64,
    pub dataflow: String,
    pub vector_lanes: Option<u64>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub latency_cycles: u64,
    pub bytes_per_cycle: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskGraphSpec {
    pub name: String,
    pub processors: Option<u64>,
    pub objective: Option<String>,
    pub iterations: Option<u64>,
    pub link: Option<LinkSpec>,
    pub tasks: Option<Vec<TaskSpec>>,
    pub edges: Option<Vec<EdgeSpec>>,
    /// A Kasahara STG file, relative to the problem file, in place of `tasks`.
    pub stg: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    pub id: TaskId,
    pub duration: u64,
    #[serde(default)]
    pub after: Vec<TaskId>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    pub from: TaskId,
    pub to: TaskId,
    #[serde(default)]
    pub distance: u64,
    #[serde(default)]
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
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DelaySpec, E> {
                Ok(DelaySpec(DelayPolicy::Uniform(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DelaySpec, E> {
                Ok(DelaySpec(DelayPolicy::Uniform(i64::try_from(v).unwrap_or(i64::MAX))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<DelaySpec, A::Error> {
                let values = Vec::<i64>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(DelaySpec(DelayPolicy::PerLayer(values)))
            }
        }
        deserializer.deserialize_any(DelayVisitor)
    }
}
