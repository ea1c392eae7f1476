//! Gantt charts of schedules as PNG files: one row per array, one bar per
//! task copy, coloured by task kind (F, B, W, U) with a legend.
//!
//! A periodic schedule is drawn for several consecutive iterations, each
//! later iteration in a lighter shade, with the period boundaries marked, so
//! that the steady-state overlap of iterations is visible. A makespan
//! schedule is drawn copy by copy, its iterations alternating in shade.
//! Text uses DejaVu Sans, embedded in the binary, so no system font library
//! is needed. Titles and labels go through [`text`], because the ab_glyph
//! text of plotters 0.3.7 drops each glyph's side bearing and spaces letters
//! unevenly; axis numbers, where that shows little, stay with plotters.

use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::schedule::{Schedule, Timing};
use crate::workload::TaskKind;
use plotters::coord::Shift;
use plotters::prelude::*;
use text::Align;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod text;

/// Iterations of a periodic schedule drawn one after another.
pub const PERIODS_SHOWN: u32 = 3;

const FONT: &str = "sans-serif";
const FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

const WIDTH: u32 = 1600;
/// Height of one array's row, shrunk for many arrays so that the image
/// stays within `MAX_ROWS_HEIGHT` pixels.
const ROW_HEIGHT: u32 = 56;
const MIN_ROW_HEIGHT: u32 = 4;
const MAX_ROWS_HEIGHT: u32 = 4000;
const TITLE_SIZE: f32 = 26.0;
const LABEL_SIZE: f32 = 16.0;
const AXIS_SIZE: f32 = 16.0;

/// Error while drawing or writing a Gantt chart.
#[derive(Debug, thiserror::Error)]
pub enum GanttError {
    #[error("the embedded DejaVu Sans font could not be loaded")]
    Font,
    #[error("drawing the Gantt chart {} failed: {message}", path.display())]
    Drawing { path: PathBuf, message: String },
    #[error("writing the Gantt chart {} failed: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Draws the Gantt chart of `schedule`, a valid schedule of `problem`, and
/// writes it to `path` as a PNG: first to a temporary file in the same
/// directory, then renamed over `path`.
pub fn draw_gantt(
    problem: &Problem,
    schedule: &Schedule,
    scheduler: &str,
    metrics: &Metrics,
    path: &Path,
) -> Result<(), GanttError> {
    register_font()?;
    let io_error = |source| GanttError::Io { path: path.to_path_buf(), source };
    let temporary = crate::report::temporary_path(path, ".png").map_err(io_error)?;

    let drawn = render(problem, schedule, scheduler, metrics, &temporary).and_then(|()| {
        // Flush the finished image to disk before it replaces `path`.
        std::fs::File::open(&temporary).and_then(|file| file.sync_all()).map_err(io_error)
    });
    if let Err(error) = drawn {
        let _ = std::fs::remove_file(&temporary);
        return Err(match error {
            GanttError::Drawing { message, .. } => GanttError::Drawing { path: path.to_path_buf(), message },
            GanttError::Io { source, .. } => io_error(source),
            other => other,
        });
    }
    crate::report::commit_temporary(&temporary, path).map_err(io_error)
}

/// Registers DejaVu Sans as plotters' `sans-serif` once per process.
pub fn register_font() -> Result<(), GanttError> {
    if !text::font_loads() {
        return Err(GanttError::Font);
    }
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(GanttError::Font)
    }
}

fn row_height(arrays: usize) -> u32 {
    let arrays = u32::try_from(arrays).unwrap_or(u32::MAX).max(1);
    (MAX_ROWS_HEIGHT / arrays).clamp(MIN_ROW_HEIGHT, ROW_HEIGHT)
}

/// One bar: a task copy on an array over `start..end` cycles.
struct Bar {
    array: usize,
    start: u64,
    end: u64,
    task: usize,
    /// 0 for the full colour; higher values are drawn lighter.
    shade: u32,
}

/// Lists the bars to draw: `PERIODS_SHOWN` iterations of a periodic
/// schedule, or every copy of a makespan schedule. Duration-0 tasks occupy nothing and
/// are left out.
fn bars(problem: &Problem, schedule: &Schedule) -> Vec<Bar> {
    let mut bars = Vec::new();
    for p in &schedule.placements {
        // A valid schedule has none outside the problem; skip them rather
        // than index out of bounds.
        if p.task >= problem.tasks.len() || p.array >= problem.array_count() {
            continue;
        }
        let duration = problem.duration(p.task, p.array);
        if duration == 0 {
            continue;
        }
        match schedule.timing {
            Timing::Periodic { period } => {
                for i in 0..PERIODS_SHOWN {
                    let start = p.start.saturating_add(period.saturating_mul(u64::from(i)));
                    bars.push(Bar { array: p.array, start, end: start.saturating_add(duration), task: p.task, shade: i });
                }
            }
            Timing::Makespan { .. } => bars.push(Bar {
                array: p.array,
                start: p.start,
                end: p.start.saturating_add(duration),
                task: p.task,
                shade: p.iteration % 2,
            }),
        }
    }
    bars
}

fn render(problem: &Problem, schedule: &Schedule, scheduler: &str, metrics: &Metrics, path: &Path) -> Result<(), GanttError> {
    let failed = |message: String| GanttError::Drawing { path: path.to_path_buf(), message };
    let arrays = problem.array_count().max(1);
    let height = 150 + row_height(arrays) * arrays as u32 + 60;
    let root = BitMapBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| failed(e.to_string()))?;

    let (chart_area, legend_area) = root.split_vertically(height - 50);
    draw_chart(problem, schedule, scheduler, metrics, &chart_area).map_err(failed)?;
    let shading = match schedule.timing {
        Timing::Periodic { .. } => Some("lighter shades: later iterations; dark lines: period boundaries"),
        Timing::Makespan { iterations } if iterations > 1 => Some("lighter shades: odd iterations"),
        Timing::Makespan { .. } => None,
    };
    draw_legend(problem, shading, &legend_area).map_err(failed)?;
    root.present().map_err(|e| failed(e.to_string()))
}

fn draw_chart(
    problem: &Problem,
    schedule: &Schedule,
    scheduler: &str,
    metrics: &Metrics,
    area: &DrawingArea<BitMapBackend, Shift>,
) -> Result<(), String> {
    let bars = bars(problem, schedule);
    let arrays = problem.array_count().max(1);
    let horizon = bars.iter().map(|b| b.end).max().unwrap_or(0).max(1) as f64;

    // The title shrinks to fit the image width when the problem name is long.
    let title = title(problem, schedule, scheduler, metrics);
    let title_size = TITLE_SIZE.min(TITLE_SIZE * (WIDTH as f32 - 40.0) / text::text_width(&title, TITLE_SIZE).max(1.0));
    text::draw_text(area, &title, (WIDTH as i32 / 2, 26), title_size, BLACK, Align::Center)?;

    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .margin_top(56)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..horizon, 0.0..arrays as f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(12)
        .x_label_formatter(&|x| format_cycles(*x))
        .x_desc("cycles")
        .label_style((FONT, f64::from(AXIS_SIZE)))
        .axis_desc_style((FONT, f64::from(AXIS_SIZE)))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .map_err(|e| e.to_string())?;

    // Array 0 is the top row: row r spans y ∈ [arrays − 1 − r, arrays − r].
    let row_bottom = |array: usize| (arrays - 1 - array) as f64;
    let plot = chart.plotting_area();
    // Array names need about 20 pixels each; with thin rows only every
    // `step`-th array is named.
    let step = 20u32.div_ceil(row_height(arrays)) as usize;
    for array in (0..arrays).step_by(step) {
        let (x, y) = chart.backend_coord(&(0.0, row_bottom(array) + 0.5));
        text::draw_text(area, &format!("array {array}"), (x - 10, y), AXIS_SIZE, BLACK, Align::Right)?;
    }

    if let Timing::Periodic { period } = schedule.timing {
        let boundary = ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(2);
        let mut k = 1u64;
        while (period.saturating_mul(k) as f64) < horizon && period > 0 {
            let x = (period * k) as f64;
            plot.draw(&PathElement::new(vec![(x, 0.0), (x, arrays as f64)], boundary)).map_err(|e| e.to_string())?;
            k += 1;
        }
    }

    for bar in &bars {
        let low = row_bottom(bar.array) + 0.12;
        let high = row_bottom(bar.array) + 0.88;
        let colour = lighten(colour_of(problem, bar.task), bar.shade);
        let corners = [(bar.start as f64, low), (bar.end as f64, high)];
        plot.draw(&Rectangle::new(corners, colour.filled())).map_err(|e| e.to_string())?;
        plot.draw(&Rectangle::new(corners, darken(colour).stroke_width(1))).map_err(|e| e.to_string())?;
        // Pixel coordinates of the chart match those of `area`, which
        // starts at the image's top left corner.
        let (left, y) = chart.backend_coord(&(bar.start as f64, (low + high) / 2.0));
        let (right, _) = chart.backend_coord(&(bar.end as f64, (low + high) / 2.0));
        draw_bar_label(problem, bar.task, (left, right, y), area)?;
    }
    Ok(())
}

/// Writes the task name centred in the bar spanning pixels `left..right` at
/// height `y`, or the layer number when only that fits, or nothing.
fn draw_bar_label(
    problem: &Problem,
    task: usize,
    (left, right, y): (i32, i32, i32),
    area: &DrawingArea<BitMapBackend, Shift>,
) -> Result<(), String> {
    let room = (right - left - 6) as f32;
    let task = &problem.tasks[task];
    let candidates = [Some(task.name.clone()), task.layer.map(|l| l.to_string())];
    let fitting = candidates.into_iter().flatten().find(|label| text::text_width(label, LABEL_SIZE) <= room);
    match fitting {
        Some(label) => text::draw_text(area, &label, ((left + right) / 2, y), LABEL_SIZE, BLACK, Align::Center),
        None => Ok(()),
    }
}

fn draw_legend(problem: &Problem, shading: Option<&str>, area: &DrawingArea<BitMapBackend, Shift>) -> Result<(), String> {
    let entries: Vec<(RGBColor, String)> = if problem.tasks.iter().any(|t| t.kind.is_some()) {
        TaskKind::ALL.iter().map(|&k| (kind_colour(Some(k)), format!("{}  {}", k.letter(), k.description()))).collect()
    } else {
        vec![(kind_colour(None), "task".to_string())]
    };
    let mut x = 106;
    for (colour, label) in entries {
        area.draw(&Rectangle::new([(x, 12), (x + 22, 34)], colour.filled())).map_err(|e| e.to_string())?;
        text::draw_text(area, &label, (x + 30, 23), AXIS_SIZE, BLACK, Align::Left)?;
        x += 30 + text::text_width(&label, AXIS_SIZE).ceil() as i32 + 36;
    }
    match shading {
        Some(note) => text::draw_text(area, note, (x + 20, 23), AXIS_SIZE, RGBColor(90, 90, 90), Align::Left),
        None => Ok(()),
    }
}

fn title(problem: &Problem, schedule: &Schedule, scheduler: &str, metrics: &Metrics) -> String {
    let objective = match schedule.timing {
        Timing::Periodic { period } => {
            format!("period {} cycles, {PERIODS_SHOWN} iterations shown", group_thousands(period))
        }
        Timing::Makespan { iterations: 1 } => format!("makespan {} cycles", group_thousands(metrics.value)),
        Timing::Makespan { iterations } => {
            format!("makespan {} cycles over {iterations} iterations", group_thousands(metrics.value))
        }
    };
    format!("{}: {scheduler}, {objective}, utilization {:.1}%", problem.name, metrics.utilization * 100.0)
}

/// Formats a cycle count with a k, M or G suffix, keeping up to three
/// significant decimals: 950, 12.5k, 3.2M.
pub fn format_cycles(cycles: f64) -> String {
    let (scaled, suffix) = match cycles.abs() {
        c if c >= 1e9 => (cycles / 1e9, "G"),
        c if c >= 1e6 => (cycles / 1e6, "M"),
        c if c >= 1e3 => (cycles / 1e3, "k"),
        _ => (cycles, ""),
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

/// Writes an exact count with commas between groups of three digits.
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

fn colour_of(problem: &Problem, task: usize) -> RGBColor {
    kind_colour(problem.tasks[task].kind)
}

/// Colours of the task kinds; task-graph tasks share one colour.
fn kind_colour(kind: Option<TaskKind>) -> RGBColor {
    match kind {
        Some(TaskKind::F) => RGBColor(66, 133, 214),
        Some(TaskKind::B) => RGBColor(235, 137, 52),
        Some(TaskKind::W) => RGBColor(76, 166, 86),
        Some(TaskKind::U) => RGBColor(150, 100, 190),
        None => RGBColor(90, 150, 200),
    }
}

/// Mixes `colour` with white: 45% per shade step, capped at 70%.
fn lighten(colour: RGBColor, shade: u32) -> RGBColor {
    let white_share = (0.45 * f64::from(shade)).min(0.7);
    let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * white_share).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

fn darken(colour: RGBColor) -> RGBColor {
    RGBColor(colour.0 / 2, colour.1 / 2, colour.2 / 2)
}

#[cfg(test)]
mod tests;
