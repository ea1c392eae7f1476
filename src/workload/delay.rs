//! Gradient delay policies: how many iterations after iteration i the forward
//! pass first sees iteration i's weight update, per weighted layer.

use serde::Deserialize;

/// A gradient delay policy as written in a problem file or on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DelayPolicy {
    /// `synchronous` or `pipedream`.
    Named(String),
    /// One delay for every weighted layer.
    Uniform(i64),
    /// One delay per weighted layer, input to output.
    PerLayer(Vec<i64>),
}

impl Default for DelayPolicy {
    fn default() -> Self {
        DelayPolicy::Named("pipedream".into())
    }
}

impl std::str::FromStr for DelayPolicy {
    type Err = String;

    /// Parses `synchronous`, `pipedream`, an integer, or a comma-separated list.
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.contains(',') {
            let values: Result<Vec<i64>, _> = text.split(',').map(|v| v.trim().parse::<i64>()).collect();
            return values.map(DelayPolicy::PerLayer).map_err(|_| {
                format!("invalid delay list `{text}`; give integers separated by commas, such as 1,2,3")
            });
        }
        if let Ok(value) = text.parse::<i64>() {
            return Ok(DelayPolicy::Uniform(value));
        }
        Ok(DelayPolicy::Named(text.to_string()))
    }
}

/// Largest accepted gradient delay.
pub const MAX_DELAY: i64 = 1_000_000;

/// [`MAX_DELAY`] as an iteration distance.
pub fn delay_limit() -> u32 {
    MAX_DELAY as u32
}

impl DelayPolicy {
    /// The delay of each of `weighted_layers` weighted layers, input to output.
    /// The error message names the value and the fix.
    pub fn resolve(&self, weighted_layers: usize) -> Result<Vec<u32>, String> {
        let check = |value: i64| -> Result<u32, String> {
            if value < 1 {
                Err(format!(
                    "gradient delay {value} is invalid; delays start at 1 (synchronous training), so use 1 or more"
                ))
            } else if value > MAX_DELAY {
                Err(format!("gradient delay {value} is above the supported maximum {MAX_DELAY}"))
            } else {
                Ok(value as u32)
            }
        };
        match self {
            DelayPolicy::Named(name) => match name.as_str() {
                "synchronous" => Ok(vec![1; weighted_layers]),
                // The k-th weighted layer counted from the output waits k
                // iterations for its update, as in PipeDream's 1F1B schedule.
                "pipedream" => Ok((1..=weighted_layers as u32).rev().collect()),
                other => Err(format!(
                    "unknown gradient delay policy `{other}`; use synchronous, pipedream, an integer of at least 1, or a list with one integer per weighted layer"
                )),
            },
            DelayPolicy::Uniform(value) => Ok(vec![check(*value)?; weighted_layers]),
            DelayPolicy::PerLayer(values) => {
                if values.len() != weighted_layers {
                    return Err(format!(
                        "gradient delay list has {} entries but the network has {weighted_layers} weighted layers; give one delay per fc or conv layer, input to output",
                        values.len()
                    ));
                }
                values.iter().map(|&v| check(v)).collect()
            }
        }
    }

    /// Parses several policies: separated by commas, with a per-layer list
    /// in brackets (`synchronous,pipedream,[6,4,2]`), or separated by
    /// semicolons, where a bare comma list is one per-layer policy
    /// (`synchronous;6,4,2`).
    pub fn parse_list(text: &str) -> Result<Vec<DelayPolicy>, String> {
        let items: Vec<String> = if text.contains(';') {
            text.split(';').map(|item| item.trim().to_string()).filter(|item| !item.is_empty()).collect()
        } else {
            split_outside_brackets(text)
        };
        if items.is_empty() {
            return Err("the delay list is empty; give synchronous, pipedream, an integer or a per-layer list such as [3,2,1]".into());
        }
        items
            .iter()
            .map(|item| {
                let inner = item.strip_prefix('[').and_then(|rest| rest.strip_suffix(']'));
                let policy = match inner {
                    Some(list) => list
                        .split(',')
                        .map(|v| v.trim().parse::<i64>())
                        .collect::<Result<Vec<_>, _>>()
                        .map(DelayPolicy::PerLayer)
                        .map_err(|_| format!("invalid delay list `{item}`; give integers such as [3,2,1]"))?,
                    None => item.parse::<DelayPolicy>()?,
                };
                // Names are checked here so that a typo fails before any work;
                // numbers and list lengths are checked against the network.
                if let DelayPolicy::Named(name) = &policy {
                    if name != "synchronous" && name != "pipedream" {
                        return Err(format!(
                            "unknown delay policy `{name}`; use synchronous, pipedream, an integer or a per-layer list such as [3,2,1]"
                        ));
                    }
                }
                Ok(policy)
            })
            .collect()
    }

    /// A short label for tables: `pipedream`, `2`, `[1,2,3]`.
    pub fn label(&self) -> String {
        match self {
            DelayPolicy::Named(name) => name.clone(),
            DelayPolicy::Uniform(value) => value.to_string(),
            DelayPolicy::PerLayer(values) => {
                format!("[{}]", values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","))
            }
        }
    }
}

/// Splits `text` at the commas that are not inside brackets.
pub fn split_outside_brackets(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current.trim().to_string());
    items.into_iter().filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipedream_counts_from_output() {
        assert_eq!(DelayPolicy::Named("pipedream".into()).resolve(3).unwrap(), vec![3, 2, 1]);
    }

    #[test]
    fn zero_delay_is_rejected() {
        let error = DelayPolicy::Uniform(0).resolve(2).unwrap_err();
        assert!(error.contains("delay 0 is invalid"), "{error}");
    }

    #[test]
    fn list_length_must_match() {
        let error = DelayPolicy::PerLayer(vec![1, 2]).resolve(3).unwrap_err();
        assert!(error.contains("has 2 entries"), "{error}");
    }

    #[test]
    fn parses_lists_of_policies_both_ways() {
        let expected = vec![DelayPolicy::Named("synchronous".into()), DelayPolicy::PerLayer(vec![6, 4, 2])];
        assert_eq!(DelayPolicy::parse_list("synchronous,[6,4,2]").unwrap(), expected);
        assert_eq!(DelayPolicy::parse_list("synchronous;6,4,2").unwrap(), expected);
        assert_eq!(DelayPolicy::parse_list("synchronous; [6,4,2]").unwrap(), expected);
        assert!(DelayPolicy::parse_list("sync").unwrap_err().contains("unknown delay policy `sync`"));
    }

    #[test]
    fn parses_command_line_forms() {
        assert_eq!("2".parse::<DelayPolicy>().unwrap(), DelayPolicy::Uniform(2));
        assert_eq!("1, 2".parse::<DelayPolicy>().unwrap(), DelayPolicy::PerLayer(vec![1, 2]));
        assert_eq!("synchronous".parse::<DelayPolicy>().unwrap(), DelayPolicy::Named("synchronous".into()));
    }
}
