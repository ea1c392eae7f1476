//! Sweep plots (PNG, plotters' bitmap backend).
//!
//! For each network swept over array counts, one figure with three panels
//! against the array count: the speedup of the list and ILP schedules over
//! standard pipelining with the speedup that the lower bound allows
//! (standard value / lower bound) dashed for reference; the utilization of
//! every scheduler; and the communication overhead. For each problem file,
//! a bar chart of every scheduler's value with the lower bound.
//!
//! All text uses the font family `sans-serif`, which must be registered with
//! plotters (`plotters::style::register_font`) before plotting, because the
//! bitmap backend is built without system fonts.

use super::{Origin, SweepRow};
use plotters::prelude::*;
use plotters::style::{FontFamily, FontStyle};
use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};

const FONT: &str = "sans-serif";
const WIDTH: u32 = 1000;
const PANEL_HEIGHT: u32 = 420;

type PlotResult<T> = Result<T, Box<dyn Error>>;

/// Line colours, picked by a series' position among all labels of a figure
/// so that one label keeps its colour in every panel.
const COLORS: [RGBColor; 8] = [
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x44, 0x44, 0x44),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0x8c, 0x56, 0x4b),
];

fn color_of(label: &str, labels: &[String]) -> RGBColor {
    let index = labels.iter().position(|l| l == label).unwrap_or(0);
    COLORS[index % COLORS.len()]
}

/// Whether plot text can be drawn: a font is registered as `sans-serif`.
pub fn font_available() -> bool {
    FontDesc::new(FontFamily::Name(FONT), 12.0, FontStyle::Normal).box_size("0").is_ok()
}

/// A plot file name made from a network or problem name.
pub fn plot_file_name(name: &str, suffix: &str) -> String {
    let stem: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{}{suffix}.png", if stem.is_empty() { "sweep" } else { &stem })
}

/// One plotted line: its label, points (array count, y) and whether it is a
/// reference drawn dashed.
struct Series {
    label: String,
    points: Vec<(f64, f64)>,
    dashed: bool,
}

/// Draws every plot of the sweep into `dir`; returns (network or problem,
/// file) pairs in drawing order. Fails when no `sans-serif` font is
/// registered.
pub fn draw_all(rows: &[SweepRow], dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    crate::gantt::register_font().map_err(|e| e.to_string())?;
    if !font_available() {
        return Err(format!("no font is registered as `{FONT}` for plot text, so no plot was written to {}", dir.display()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create the plot directory: {e}", dir.display()))?;
    let mut written = Vec::new();

    let mut networks: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| r.origin == Origin::Model) {
        if !networks.contains(&row.network) {
            networks.push(row.network.clone());
        }
    }
    for network in networks {
        let network_rows: Vec<&SweepRow> = rows.iter().filter(|r| r.origin == Origin::Model && r.network == network).collect();
        let path = dir.join(plot_file_name(&network, "-sweep"));
        draw_atomic(&path, |target| draw_network(&network, &network_rows, target))
            .map_err(|e| format!("{}: cannot draw the plot: {e}", path.display()))?;
        written.push((network, path));
    }

    let mut problems: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| r.origin == Origin::ProblemFile) {
        if !problems.contains(&row.problem) {
            problems.push(row.problem.clone());
        }
    }
    for problem in problems {
        let problem_rows: Vec<&SweepRow> = rows.iter().filter(|r| r.origin == Origin::ProblemFile && r.problem == problem).collect();
        let path = dir.join(plot_file_name(&problem, "-schedulers"));
        draw_atomic(&path, |target| draw_problem(&problem, &problem_rows, target))
            .map_err(|e| format!("{}: cannot draw the plot: {e}", path.display()))?;
        written.push((problem, path));
    }
    Ok(written)
}

/// Runs `draw` on a temporary PNG beside `path`, then renames it into place.
fn draw_atomic(path: &Path, draw: impl FnOnce(&Path) -> PlotResult<()>) -> PlotResult<()> {
    let temporary = crate::report::temporary_path(path, ".png")?;
    if let Err(error) = draw(&temporary) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    crate::report::commit_temporary(&temporary, path)?;
    Ok(())
}

/// The variant of a scenario that a line follows across array counts.
fn variant(row: &SweepRow, show_delays: bool, show_tiling: bool) -> String {
    let mut parts = Vec::new();
    if show_delays {
        parts.push(format!("delays {}", row.delays));
    }
    if show_tiling {
        parts.push(format!("tiling {}", row.tiling));
    }
    parts.join(", ")
}

fn label(scheduler: &str, variant: &str) -> String {
    if variant.is_empty() { scheduler.to_string() } else { format!("{scheduler} ({variant})") }
}

/// Builds the three panels' series for one network.
fn network_series(rows: &[&SweepRow]) -> [Vec<Series>; 3] {
    let distinct = |f: fn(&SweepRow) -> &String| {
        let mut values: Vec<&String> = rows.iter().map(|r| f(r)).collect();
        values.sort();
        values.dedup();
        values.len() > 1
    };
    let show_delays = distinct(|r| &r.delays);
    let show_tiling = distinct(|r| &r.tiling);

    // Lines keyed by (variant, scheduler), points in array order.
    let mut speedup: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    let mut utilization: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    let mut overhead: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    let mut bound: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();

    let mut scenarios: BTreeMap<&str, Vec<&SweepRow>> = BTreeMap::new();
    for row in rows {
        scenarios.entry(row.problem.as_str()).or_default().push(row);
    }
    for scenario in scenarios.values() {
        let first = scenario[0];
        let x = first.arrays as f64;
        let variant = variant(first, show_delays, show_tiling);
        for row in scenario {
            let key = (variant.clone(), row.scheduler.clone());
            if let (Some(s), true) = (row.speedup, row.scheduler != "standard") {
                speedup.entry(key.clone()).or_default().push((x, s));
            }
            if let Some(u) = row.utilization {
                utilization.entry(key.clone()).or_default().push((x, u * 100.0));
            }
            if let (Some(c), true) = (row.comm_overhead, row.scheduler != "standard") {
                overhead.entry(key).or_default().push((x, c * 100.0));
            }
        }
        // The speedup that the best proven lower bound allows.
        let standard_value = scenario
            .iter()
            .find(|r| r.scheduler == "standard")
            .and_then(|r| r.value)
            .map(|v| v as f64)
            .or_else(|| scenario.iter().find_map(|r| Some(r.speedup? * r.value? as f64)));
        let lower_bound = scenario.iter().filter_map(|r| r.lower_bound).max();
        if let (Some(standard), Some(lower)) = (standard_value, lower_bound.filter(|&b| b > 0)) {
            bound.entry(variant).or_default().push((x, standard / lower as f64));
        }
    }

    let to_series = |lines: BTreeMap<(String, String), Vec<(f64, f64)>>| -> Vec<Series> {
        lines
            .into_iter()
            .map(|((variant, scheduler), mut points)| {
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Series { label: label(&scheduler, &variant), points, dashed: false }
            })
            .collect()
    };
    let mut speedup_series = to_series(speedup);
    for (variant, mut points) in bound {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        speedup_series.push(Series { label: label("lower-bound limit", &variant), points, dashed: true });
    }
    [speedup_series, to_series(utilization), to_series(overhead)]
}

fn draw_network(network: &str, rows: &[&SweepRow], path: &Path) -> PlotResult<()> {
    let [speedup, utilization, overhead] = network_series(rows);
    let root = BitMapBackend::new(path, (WIDTH, PANEL_HEIGHT * 3 + 50)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(&format!("{network}: schedules against standard pipelining"), (FONT, 26))?;
    let panels = root.split_evenly((3, 1));
    let xs: Vec<f64> = rows.iter().map(|r| r.arrays as f64).collect();
    let x_range = (xs.iter().copied().fold(f64::INFINITY, f64::min) - 0.5)..(xs.iter().copied().fold(0.0, f64::max) + 0.5);
    let mut labels: Vec<String> = speedup.iter().chain(&utilization).chain(&overhead).map(|s| s.label.clone()).collect();
    labels.sort();
    labels.dedup();
    let panel = |index: usize, caption: &str, y_label: &str, series: &[Series], y_fixed: Option<(f64, f64)>, reference: Option<f64>| {
        draw_panel(&panels[index], Panel { caption, y_label, x_range: x_range.clone(), y_fixed, reference }, series, &labels)
    };
    panel(0, "speedup over standard pipelining", "speedup (x)", &speedup, None, Some(1.0))?;
    panel(1, "utilization of the arrays", "utilization (%)", &utilization, Some((0.0, 100.0)), None)?;
    panel(2, "communication overhead over standard pipelining", "share of training bytes (%)", &overhead, None, Some(0.0))?;
    root.present()?;
    Ok(())
}

/// Axis settings of one panel.
struct Panel<'a> {
    caption: &'a str,
    y_label: &'a str,
    x_range: std::ops::Range<f64>,
    /// A fixed y range; absent: fitted to the data and the reference.
    y_fixed: Option<(f64, f64)>,
    /// A level drawn as a thin horizontal line (no speedup, no overhead).
    reference: Option<f64>,
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: Panel,
    series: &[Series],
    labels: &[String],
) -> PlotResult<()>
where
    DB::ErrorType: 'static,
{
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).chain(panel.reference);
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (low, high) = match panel.y_fixed {
        Some(range) => range,
        None if low.is_finite() => (low, high),
        None => (0.0, 1.0),
    };
    let pad = ((high - low) * 0.08).max(high.abs() * 0.05).max(0.01);
    let y_range = (low - pad)..(high + pad);
    let x_range = panel.x_range;
    // One tick per array count, up to 20 of them.
    let x_ticks = ((x_range.end - x_range.start).round() as usize).clamp(1, 20);

    let mut chart = ChartBuilder::on(area)
        .caption(panel.caption, (FONT, 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .x_desc("arrays")
        .y_desc(panel.y_label)
        .x_labels(x_ticks)
        .x_label_formatter(&|x| if (x - x.round()).abs() < 1e-6 { format!("{x:.0}") } else { String::new() })
        .label_style((FONT, 14))
        .draw()?;
    let reference = panel.reference;
    if let Some(level) = reference {
        let (x0, x1) = (chart.x_range().start, chart.x_range().end);
        chart.draw_series(LineSeries::new([(x0, level), (x1, level)], BLACK.mix(0.3)))?;
    }
    for line in series {
        let color = color_of(&line.label, labels);
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(line.points.iter().copied(), 8, 5, color.stroke_width(2)))?
                .label(&line.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        } else {
            chart
                .draw_series(LineSeries::new(line.points.iter().copied(), color.stroke_width(2)))?
                .label(&line.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            chart.draw_series(line.points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
        }
    }
    if series.is_empty() {
        let (x0, y_top) = (chart.x_range().start, chart.y_range().end);
        let y_span = chart.y_range().end - chart.y_range().start;
        chart.draw_series([Text::new(
            "no data: these values need a schedule from the standard scheduler",
            (x0 + 0.1, y_top - y_span * 0.1),
            (FONT, 16),
        )])?;
    } else {
        chart
            .configure_series_labels()
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
    }
    Ok(())
}

/// `1.25M`, `830k`, `12`: cycle counts short enough for an axis.
fn compact_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e9 {
        format!("{:.2}G", value / 1e9)
    } else if magnitude >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if magnitude >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else {
        format!("{value:.0}")
    }
}

/// A bar per scheduler with its value, and the lower bound as a dashed line.
fn draw_problem(problem: &str, rows: &[&SweepRow], path: &Path) -> PlotResult<()> {
    let bars: Vec<(String, u64)> = rows.iter().filter_map(|r| Some((r.scheduler.clone(), r.value?))).collect();
    let lower_bound = rows.iter().filter_map(|r| r.lower_bound).max().unwrap_or(0);
    let objective = rows.first().map_or("period", |r| r.objective.as_str()).to_string();
    let sizes = rows.first().map_or(String::new(), |r| r.array_sizes.clone());
    let high = bars.iter().map(|b| b.1).chain([lower_bound]).max().unwrap_or(1).max(1) as f64 * 1.15;

    let root = BitMapBackend::new(path, (WIDTH, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{problem} ({sizes}): {objective} by scheduler"), (FONT, 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..bars.len().max(1) as f64, 0f64..high)?;
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len().max(1) * 2 + 1)
        .x_label_formatter(&|x| {
            let index = (x - 0.5).round();
            if (x - 0.5 - index).abs() < 1e-6 && index >= 0.0 {
                names.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(format!("{objective} (cycles)"))
        .y_label_formatter(&|y| compact_number(*y))
        .label_style((FONT, 14))
        .draw()?;
    for (index, (_, value)) in bars.iter().enumerate() {
        let color = COLORS[index % COLORS.len()];
        let x = index as f64;
        chart.draw_series([Rectangle::new([(x + 0.15, 0.0), (x + 0.85, *value as f64)], color.filled())])?;
        chart.draw_series([Text::new(format!("{value}"), (x + 0.2, *value as f64 + high * 0.02), (FONT, 14))])?;
    }
    if lower_bound > 0 {
        let y = lower_bound as f64;
        chart
            .draw_series(DashedLineSeries::new([(0.0, y), (bars.len().max(1) as f64, y)], 8, 5, BLACK.stroke_width(2)))?
            .label(format!("lower bound {lower_bound}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
