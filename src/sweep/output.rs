//! Sweep tables as CSV and Markdown, written atomically through
//! [`crate::report::write_atomic`].

use super::SweepRow;
use std::path::Path;

/// Columns of the CSV table, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "network", "problem", "arrays", "array_sizes", "delays", "tiling", "tasks", "scheduler", "objective", "status",
    "value", "lower_bound", "gap", "speedup", "utilization", "inter_array_bytes", "comm_overhead", "seconds",
];

/// Writes `contents` to `path` atomically, creating its directory first.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::report::write_atomic(path, contents)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// The rows as CSV with a header line; absent values are empty fields.
pub fn to_csv(rows: &[SweepRow]) -> String {
    let mut text = CSV_COLUMNS.join(",");
    text.push('\n');
    for row in rows {
        let fields = [
            row.network.clone(),
            row.problem.clone(),
            row.arrays.to_string(),
            row.array_sizes.clone(),
            row.delays.clone(),
            row.tiling.clone(),
            row.tasks.to_string(),
            row.scheduler.clone(),
            row.objective.clone(),
            row.status.clone(),
            optional(row.value),
            optional(row.lower_bound),
            optional(row.gap.map(|g| format!("{g:.6}"))),
            optional(row.speedup.map(|s| format!("{s:.6}"))),
            optional(row.utilization.map(|u| format!("{u:.6}"))),
            optional(row.inter_array_bytes.map(|b| format!("{b:.0}"))),
            optional(row.comm_overhead.map(|c| format!("{c:.8}"))),
            format!("{:.3}", row.seconds),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text
}

/// A Markdown table: `header` cells, then one line per row. Pipes inside
/// cells are escaped.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let escape = |cell: &str| cell.replace('|', "\\|");
    let mut text = format!("| {} |\n", header.join(" | "));
    text.push_str(&format!("|{}|\n", header.iter().map(|_| "---").collect::<Vec<_>>().join("|")));
    for row in rows {
        text.push_str(&format!("| {} |\n", row.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")));
    }
    text
}

/// `1.234x`, or `-` when absent.
pub fn format_speedup(value: Option<f64>) -> String {
    value.map_or("-".into(), |s| format!("{s:.2}x"))
}

/// A fraction as a percentage with `digits` decimals, or `-`.
pub fn format_percent(value: Option<f64>, digits: usize) -> String {
    value.map_or("-".into(), |v| format!("{:.*}%", digits, v * 100.0))
}

/// An integer with thousands separators (`12,345,678`), or `-`.
pub fn format_cycles(value: Option<u64>) -> String {
    let Some(value) = value else { return "-".into() };
    let digits = value.to_string();
    let mut text = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            text.push(',');
        }
        text.push(c);
    }
    text
}
