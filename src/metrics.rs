//! Placeholder until the metrics module lands.
use crate::problem::Problem;
use crate::schedule::Schedule;
pub struct Metrics { pub value: u64, pub lower_bound: u64, pub gap: f64, pub utilization: f64, pub inter_array_bytes: f64, pub training_bytes: Option<u64>, pub comm_overhead: Option<f64>, pub speedup: Option<f64> }
impl Metrics {
    pub fn compute(problem: &Problem, schedule: &Schedule, lower_bound: u64, standard: Option<&Schedule>) -> Metrics {
        let value = schedule.value(problem);
        Metrics { value, lower_bound, gap: 0.0, utilization: 0.0, inter_array_bytes: 0.0, training_bytes: None, comm_overhead: None, speedup: standard.map(|s| s.value(problem) as f64 / value as f64) }
    }
}
