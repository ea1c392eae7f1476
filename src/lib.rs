//! spikepipe: pipelined multiprocessor scheduling of spiking neural network
//! training on systolic arrays.
//!
//! The pipeline: a network [`model`] becomes training tasks ([`workload`]),
//! costed per array ([`cost`]) into a [`problem`] with a dependency
//! [`graph`]; schedulers ([`sched`], and the exact ILP in `ilp`) produce
//! [`schedule`]s that the independent [`validate`] module checks before
//! [`metrics`], reports and Gantt charts use them.

pub mod cost;
pub mod error;
pub mod graph;
pub mod model;
pub mod problem;
pub mod schedule;
pub mod validate;
pub mod workload;
pub mod sched;

#[cfg(feature = "solver")]
pub mod ilp;
pub mod train;
