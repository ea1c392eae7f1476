//! spikepipe: pipelined multiprocessor scheduling of spiking neural network
//! training on systolic arrays.
//!
//! The pipeline: a network [`model`] becomes training tasks ([`workload`]),
//! costed per array ([`cost`]) into a [`problem`] with a dependency
//! [`graph`]; schedulers ([`sched`], and the exact ILP in `ilp`) produce
//! [`schedule`]s that the independent [`validate`] module checks before
//! [`metrics`], reports and Gantt charts use them.

pub mod cli;
pub mod cost;
pub mod error;
pub mod gantt;
pub mod graph;
pub mod metrics;
pub mod model;
pub mod problem;
pub mod report;
pub mod sched;
pub mod schedule;
pub mod sweep;
pub mod validate;
pub mod workload;

#[cfg(feature = "solver")]
pub mod ilp;
pub mod train;
