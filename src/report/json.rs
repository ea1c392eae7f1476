//! Placeholder until the report module lands.
use crate::problem::Problem;
use crate::sched::Outcome;
use crate::schedule::Schedule;
use crate::error::InputError;
use std::path::Path;
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ResultRecord { pub scheduler: String }
pub fn result_record(_p: &Problem, o: &Outcome, _s: Option<&Schedule>) -> ResultRecord { ResultRecord { scheduler: o.scheduler.name().into() } }
pub fn parse_results(path: &Path, text: &str) -> Result<Vec<ResultRecord>, InputError> { serde_json::from_str(text).map_err(|e| InputError::new(path, e.to_string())) }
pub fn to_schedule(_p: &Problem, _r: &ResultRecord) -> Result<Schedule, String> { Err("todo".into()) }
