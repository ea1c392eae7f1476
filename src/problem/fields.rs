//! Range-checked whole numbers for the serde structs of problem and model
//! files.
//!
//! Checking a number while it is deserialized, instead of after, keeps the
//! line, column and field path of the YAML parser in the error. Every message
//! states the value found and the accepted range, for example
//! `tasks[0].duration: 2.5 is not a whole number; give a duration in cycles
//! from 0 to 1099511627776`.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// The accepted range of one kind of field and how messages describe it.
pub trait Range {
    const MIN: u64;
    const MAX: u64;
    /// What to give, for example "a duration in cycles".
    const WHAT: &'static str;
}

macro_rules! ranges {
    ($($(#[$doc:meta])* $name:ident: $min:expr, $max:expr, $what:expr;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name;
            impl Range for $name {
                const MIN: u64 = $min;
                const MAX: u64 = $max;
                const WHAT: &'static str = $what;
            }
        )*
    };
}

use super::load::{MAX_ARRAYS, MAX_ITERATIONS, MAX_VALUE};
use crate::model::MAX_DIMENSION;

ranges! {
    /// Task durations and link latencies.
    Cycles: 0, MAX_VALUE, "a duration in cycles";
    /// Bytes carried by an edge.
    Bytes: 0, MAX_VALUE, "a size in bytes";
    /// Link bandwidth.
    Bandwidth: 1, MAX_VALUE, "a bandwidth in bytes per cycle";
    /// Identical processors of a task-graph problem.
    Processors: 1, MAX_ARRAYS, "a processor count";
    /// Arrays in one array group.
    ArrayCount: 1, MAX_ARRAYS, "an array count";
    /// Array rows, columns and vector lanes; model sizes, batch, timesteps.
    Dimension: 1, MAX_DIMENSION, "a positive size";
    /// Convolution and pool padding.
    Padding: 0, MAX_DIMENSION, "a padding";
    /// Makespan iterations.
    Iterations: 1, MAX_ITERATIONS, "an iteration count";
    /// Iteration distance of a task-graph edge.
    Distance: 0, crate::workload::MAX_DELAY as u64, "an iteration distance";
    /// Gradient delay of a weighted layer; 1 is synchronous training.
    Delay: 1, crate::workload::MAX_DELAY as u64, "a gradient delay (1 is synchronous training)";
    /// Bits per gradient or weight value.
    ValueBits: 1, 64, "a number of bits";
    /// Vector operations of one weight update per weight.
    UpdateOps: 0, 1_000_000, "an operation count";
}

/// A whole number within `R`'s range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole<R>(pub u64, PhantomData<R>);

/// What to give, with the range, for the end of a message.
fn give<R: Range>() -> String {
    format!("give {} from {} to {}", R::WHAT, R::MIN, R::MAX)
}

struct WholeVisitor<R>(PhantomData<R>);

impl<'de, R: Range> Visitor<'de> for WholeVisitor<R> {
    type Value = Whole<R>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} from {} to {}", R::WHAT, R::MIN, R::MAX)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Whole<R>, E> {
        if (R::MIN..=R::MAX).contains(&v) {
            Ok(Whole(v, PhantomData))
        } else {
            Err(E::custom(format!("{v} is out of range; {}", give::<R>())))
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Whole<R>, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("{v} is negative; {}", give::<R>()))),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Whole<R>, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("{v} is too large; {}", give::<R>()))),
        }
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Whole<R>, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) if v < 0 => Err(E::custom(format!("{v} is negative; {}", give::<R>()))),
            Err(_) => Err(E::custom(format!("{v} is too large; {}", give::<R>()))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Whole<R>, E> {
        Err(E::custom(format!("{v:?} is not a whole number; {}", give::<R>())))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Whole<R>, E> {
        Err(E::custom(format!("`{v}` is not a number; {}", give::<R>())))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Whole<R>, E> {
        if v.trim().parse::<u64>().is_ok() {
            Err(E::custom(format!("\"{v}\" is a string; write the number without quotes")))
        } else {
            Err(E::custom(format!("\"{v}\" is not a number; {}", give::<R>())))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Whole<R>, E> {
        Err(E::custom(format!("the value is empty; {}", give::<R>())))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Whole<R>, A::Error> {
        Err(de::Error::custom(format!("a list is not a number; {}", give::<R>())))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Whole<R>, A::Error> {
        Err(de::Error::custom(format!("a mapping is not a number; {}", give::<R>())))
    }
}

impl<'de, R: Range> Deserialize<'de> for Whole<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WholeVisitor(PhantomData))
    }
}

/// `deserialize_with` for a required whole number in `R`'s range.
pub fn whole<'de, R: Range, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Whole::<R>::deserialize(deserializer).map(|w| w.0)
}

/// `deserialize_with` for an optional whole number; use with
/// `#[serde(default)]` so that a missing field is `None`.
pub fn optional<'de, R: Range, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    whole::<R, D>(deserializer).map(Some)
}

/// `deserialize_with` for a list of whole numbers, each in `R`'s range.
pub fn list<'de, R: Range, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    Vec::<Whole<R>>::deserialize(deserializer).map(|v| v.into_iter().map(|w| w.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Example {
        #[serde(deserialize_with = "whole::<Cycles, _>")]
        duration: u64,
        #[serde(default, deserialize_with = "optional::<Processors, _>")]
        processors: Option<u64>,
    }

    fn error(yaml: &str) -> String {
        serde_yaml::from_str::<Example>(yaml).unwrap_err().to_string()
    }

    #[test]
    fn accepts_values_in_range() {
        let example: Example = serde_yaml::from_str("duration: 1099511627776\n").unwrap();
        assert_eq!(example.duration, 1 << 40);
        assert_eq!(example.processors, None);
        let example: Example = serde_yaml::from_str("duration: 0\nprocessors: 1024\n").unwrap();
        assert_eq!(example.processors, Some(1024));
    }

    #[test]
    fn fraction_names_field_and_range() {
        let message = error("duration: 2.5\n");
        assert!(message.starts_with("duration: 2.5 is not a whole number; give a duration in cycles from 0 to 1099511627776"), "{message}");
        assert!(message.contains("line 1 column 11"), "{message}");
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        assert!(error("duration: 1099511627777\n").contains("1099511627777 is out of range"));
        assert!(error("duration: -3\n").contains("-3 is negative"));
        assert!(error("duration: 99999999999999999999999\n").contains("is too large"));
        assert!(error("duration: 1\nprocessors: 0\n").contains("processors: 0 is out of range; give a processor count from 1 to 1024"));
    }

    #[test]
    fn quoted_number_asks_to_drop_quotes() {
        assert!(error("duration: \"3\"\n").contains("write the number without quotes"));
        assert!(error("duration: three\n").contains("\"three\" is not a number"));
    }
}
