//! The plain-text comparison table of `spikepipe compare`: one row per
//! scheduler run, text columns aligned left and numbers aligned right, `-`
//! where a value does not apply.

use super::json::ResultRecord;

/// A column: its header and whether its cells align right.
struct Column {
    header: &'static str,
    numeric: bool,
}

const COLUMNS: [Column; 12] = [
    Column { header: "problem", numeric: false },
    Column { header: "scheduler", numeric: false },
    Column { header: "objective", numeric: false },
    Column { header: "value", numeric: true },
    Column { header: "lower bound", numeric: true },
    Column { header: "gap", numeric: true },
    Column { header: "speedup", numeric: true },
    Column { header: "utilization", numeric: true },
    Column { header: "inter-array bytes/iter", numeric: true },
    Column { header: "comm overhead (%)", numeric: true },
    Column { header: "seconds", numeric: true },
    Column { header: "status", numeric: false },
];

/// Formats `rows` as one aligned table with a header line and a rule under
/// it, one line per run, ending in a newline.
pub fn comparison_table(rows: &[ResultRecord]) -> String {
    let cells: Vec<[String; 12]> = rows.iter().map(row_cells).collect();
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|c| cells.iter().map(|row| row[c].chars().count()).chain([COLUMNS[c].header.len()]).max().unwrap_or(0))
        .collect();

    let mut table = String::new();
    let headers: Vec<String> = COLUMNS.iter().map(|c| c.header.to_string()).collect();
    push_line(&mut table, &headers, &widths);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    push_line(&mut table, &rule, &widths);
    for row in &cells {
        push_line(&mut table, row, &widths);
    }
    table
}

fn push_line(table: &mut String, cells: &[String], widths: &[usize]) {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .zip(&COLUMNS)
        .map(|((cell, &width), column)| {
            if column.numeric {
                format!("{cell:>width$}")
            } else {
                format!("{cell:<width$}")
            }
        })
        .collect();
    table.push_str(padded.join("  ").trim_end());
    table.push('\n');
}

fn row_cells(record: &ResultRecord) -> [String; 12] {
    let objective = match record.iterations {
        Some(1) => record.objective.clone(),
        Some(n) => format!("{} ({n} iter.)", record.objective),
        None => record.objective.clone(),
    };
    [
        record.problem.clone(),
        record.scheduler.clone(),
        objective,
        optional(record.value, |v| v.to_string()),
        optional(record.lower_bound, |v| v.to_string()),
        optional(record.gap, |g| format!("{:.1}%", g * 100.0)),
        optional(record.speedup, |s| format!("{s:.2}x")),
        optional(record.utilization, |u| format!("{:.1}%", u * 100.0)),
        optional(record.inter_array_bytes, format_bytes),
        optional(record.comm_overhead, |c| format!("{:.3}", c * 100.0)),
        format!("{:.2}", record.seconds),
        record.status.clone(),
    ]
}

fn optional<T>(value: Option<T>, format: impl Fn(T) -> String) -> String {
    value.map_or_else(|| "-".to_string(), format)
}

/// Formats a byte count: whole numbers without decimals, fractional
/// averages with one.
fn format_bytes(bytes: f64) -> String {
    if bytes.fract() == 0.0 {
        format!("{bytes:.0}")
    } else {
        format!("{bytes:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(scheduler: &str, value: Option<i64>, speedup: Option<f64>) -> ResultRecord {
        ResultRecord {
            problem: "lenet".into(),
            scheduler: scheduler.into(),
            objective: "period".into(),
            value,
            iterations: None,
            status: if value.is_some() { "feasible" } else { "timeout" }.into(),
            lower_bound: Some(800),
            gap: value.map(|v| (v - 800) as f64 / v as f64),
            seconds: 1.234,
            utilization: value.map(|_| 0.75),
            inter_array_bytes: value.map(|_| 2048.5),
            training_bytes: Some(1_000_000),
            comm_overhead: speedup.map(|_| 0.0012),
            speedup,
            schedule: Vec::new(),
        }
    }

    #[test]
    fn table_aligns_columns() {
        let table = comparison_table(&[record("standard", Some(1600), Some(1.0)), record("ilp", Some(1000), Some(1.6))]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("problem  scheduler  objective  value  lower bound    gap  speedup"));
        // Right-aligned numbers end in the same column as their header.
        let header_end = lines[0].find("value").unwrap() + "value".len();
        assert_eq!(&lines[2][header_end - 4..header_end], "1600");
        assert_eq!(&lines[3][header_end - 4..header_end], "1000");
        assert!(lines[3].contains("20.0%"), "{}", lines[3]);
        assert!(lines[3].contains("1.60x"), "{}", lines[3]);
        assert!(lines[3].contains("2048.5"), "{}", lines[3]);
        assert!(lines[3].contains("0.120"), "{}", lines[3]);
        assert!(lines[3].ends_with("1.23  feasible"), "{}", lines[3]);
    }

    #[test]
    fn missing_values_print_dash() {
        let table = comparison_table(&[record("ilp", None, None)]);
        let row = table.lines().nth(2).unwrap();
        assert_eq!(row.split_whitespace().filter(|&cell| cell == "-").count(), 6, "{row}");
        assert!(row.ends_with("timeout"));
    }
}
