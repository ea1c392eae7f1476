use super::*;
use crate::problem::{load, LoadOptions};
use crate::schedule::Placement;

fn problem_from(name: &str, text: &str) -> Problem {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join(name);
    std::fs::write(&path, text).unwrap();
    load(&path, LoadOptions::default()).unwrap()
}

/// A three-layer network (fc, fc, fc) on two 8 x 8 arrays, objective period.
const NETWORK: &str = "name: mlp
network:
  name: mlp
  input: [64]
  timesteps: 4
  batch: 8
  layers:
    - {type: fc, out: 48}
    - {type: fc, out: 32}
    - {type: fc, out: 10}
arrays: {count: 2, rows: 8, cols: 8, dataflow: output-stationary}
link: {latency_cycles: 20, bytes_per_cycle: 16}
";

/// Decodes the PNG at `path` and returns its width, its height and the
/// number of pixels darker than near-white (drawn ink).
fn inspect(path: &Path) -> (u32, u32, usize) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Rgb);
    let inked = buffer[..frame.buffer_size()].chunks(3).filter(|rgb| rgb.iter().any(|&c| c < 200)).count();
    (frame.width, frame.height, inked)
}

/// Builds a periodic schedule of the network by hand: the F tasks run on
/// array 0 and all other tasks on array 1, in topological order after their
/// distance-0 predecessors and transfers. The period is 1.2 × the busier
/// array's load, or the end of the last task if that is later.
fn two_array_schedule(problem: &Problem) -> Schedule {
    let order = crate::graph::topological_order(problem);
    let array_of = |task: usize| usize::from(problem.tasks[task].kind != Some(TaskKind::F));
    let mut ready = vec![0u64; problem.tasks.len()];
    let mut free = [0u64; 2];
    let mut placements = Vec::new();
    for &task in &order {
        let array = array_of(task);
        let mut start = free[array];
        for edge in problem.edges.iter().filter(|e| e.to == task && e.distance == 0) {
            let from = placements.iter().find(|p: &&Placement| p.task == edge.from).unwrap();
            let arrival = from.start + problem.duration(edge.from, from.array) + problem.comm(edge, from.array, array);
            start = start.max(arrival);
        }
        ready[task] = start + problem.duration(task, array);
        free[array] = ready[task];
        placements.push(Placement { task, iteration: 0, array, start });
    }
    let load = |a: usize| placements.iter().filter(|p| p.array == a).map(|p| problem.duration(p.task, a)).sum::<u64>();
    let last_end = *ready.iter().max().unwrap();
    let period = (load(0).max(load(1)) * 6 / 5).max(last_end);
    let mut schedule = Schedule { timing: Timing::Periodic { period }, placements };
    schedule.canonicalize();
    schedule
}

#[test]
fn gantt_png_has_size_and_ink() {
    let problem = problem_from("mlp.yaml", NETWORK);
    let schedule = two_array_schedule(&problem);
    crate::validate::validate(&problem, &schedule).unwrap();
    let metrics = Metrics::compute(&problem, &schedule, 1, None);
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("mlp-two.png");
    draw_gantt(&problem, &schedule, "hand", &metrics, &path).unwrap();
    let (width, height, inked) = inspect(&path);
    assert_eq!(width, WIDTH);
    assert_eq!(height, 150 + 2 * ROW_HEIGHT + 60);
    // Bars, text and axes cover far more than 1% of the image.
    assert!(inked > (width * height / 100) as usize, "only {inked} drawn pixels");
    let names: Vec<_> = std::fs::read_dir(directory.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
}

#[test]
fn gantt_of_makespan_task_graph() {
    let text = "name: chain
processors: 3
objective: makespan
iterations: 3
tasks:
  - {id: a, duration: 3000}
  - {id: b, duration: 2000, after: [a]}
  - {id: c, duration: 4000}
";
    let problem = problem_from("chain.yaml", text);
    let schedule = crate::sched::list::sequential_schedule(&problem);
    let metrics = Metrics::compute(&problem, &schedule, 1, None);
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("chain.png");
    draw_gantt(&problem, &schedule, "list", &metrics, &path).unwrap();
    let (width, height, inked) = inspect(&path);
    assert_eq!((width, height), (WIDTH, 150 + 3 * ROW_HEIGHT + 60));
    assert!(inked > (width * height / 100) as usize, "only {inked} drawn pixels");
}

#[test]
fn gantt_into_missing_directory_fails() {
    let problem = problem_from("mlp.yaml", NETWORK);
    let schedule = crate::sched::list::sequential_schedule(&problem);
    let metrics = Metrics::compute(&problem, &schedule, 1, None);
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("missing").join("g.png");
    let error = draw_gantt(&problem, &schedule, "list", &metrics, &path).unwrap_err();
    assert!(error.to_string().contains("g.png"), "{error}");
}

#[test]
fn cycles_use_unit_suffixes() {
    assert_eq!(format_cycles(950.0), "950");
    assert_eq!(format_cycles(12_500.0), "12.5k");
    assert_eq!(format_cycles(3_200_000.0), "3.2M");
    assert_eq!(format_cycles(2_000_000_000.0), "2G");
    assert_eq!(group_thousands(20_492), "20,492");
    assert_eq!(group_thousands(999), "999");
    assert_eq!(group_thousands(1_234_567), "1,234,567");
}
