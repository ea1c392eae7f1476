use super::output::{to_csv, write_atomic};
use super::report::{render, RunInfo};
use super::*;

fn grid(counts: &[u64], tilings: &[TilingChoice]) -> Grid {
    Grid {
        array_counts: counts.to_vec(),
        delays: vec![DelayPolicy::Named("pipedream".into())],
        tilings: tilings.to_vec(),
        hardware: Hardware::default(),
        batch: None,
        timesteps: None,
        objective: None,
        iterations: None,
    }
}

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// A row of a model scenario with the given scheduler results.
fn row(problem: &str, arrays: usize, scheduler: &str, value: u64, speedup: Option<f64>, overhead: Option<f64>) -> SweepRow {
    SweepRow {
        network: "net".into(),
        problem: problem.into(),
        origin: Origin::Model,
        arrays,
        array_sizes: "128x128".into(),
        delays: "pipedream".into(),
        tiling: "none".into(),
        tasks: 7,
        scheduler: scheduler.into(),
        objective: "period".into(),
        status: "optimal".into(),
        value: Some(value),
        lower_bound: Some(100),
        gap: Some(0.0),
        speedup,
        utilization: Some(0.5),
        inter_array_bytes: Some(10.0),
        comm_overhead: overhead,
        seconds: 0.1,
    }
}

#[test]
fn array_counts_accept_ranges_and_lists() {
    assert_eq!(parse_array_counts("2..5").unwrap(), vec![2, 3, 4, 5]);
    assert_eq!(parse_array_counts("8, 2,4..5,2").unwrap(), vec![2, 4, 5, 8]);
    assert_eq!(parse_array_counts("3..=4").unwrap(), vec![3, 4]);
}

#[test]
fn array_counts_reject_bad_input() {
    assert!(parse_array_counts("0,2").unwrap_err().contains("array count 0"));
    assert!(parse_array_counts("5..2").unwrap_err().contains("empty"));
    assert!(parse_array_counts("two").unwrap_err().contains("invalid array count `two`"));
    assert!(parse_array_counts("").is_err());
}

#[test]
fn delay_lists_keep_bracketed_lists_whole() {
    assert_eq!(split_list("synchronous, [3,2,1],2"), vec!["synchronous", "[3,2,1]", "2"]);
    let policies = parse_delay_policies("synchronous,[3,2,1],2").unwrap();
    assert_eq!(
        policies,
        vec![DelayPolicy::Named("synchronous".into()), DelayPolicy::PerLayer(vec![3, 2, 1]), DelayPolicy::Uniform(2)]
    );
    assert!(parse_delay_policies("[1,x]").unwrap_err().contains("invalid delay list"));
}

#[test]
fn tiling_choices_parse() {
    assert_eq!("none".parse::<TilingChoice>().unwrap(), TilingChoice::None);
    assert_eq!("time:4".parse::<TilingChoice>().unwrap(), TilingChoice::Whole { split: Split::Time, tiles: 4 });
    assert_eq!("channels:2".parse::<TilingChoice>().unwrap().label(), "channels:2");
    assert!("time".parse::<TilingChoice>().unwrap_err().contains("time:N"));
    assert!("diagonal:2".parse::<TilingChoice>().unwrap_err().contains("unknown tiling split"));
}

#[test]
fn scenarios_cover_the_grid() {
    let files = [models_dir().join("mnist-mlp.yaml")];
    let tilings = [TilingChoice::None, TilingChoice::Whole { split: Split::Time, tiles: 2 }];
    let scenarios = build_scenarios(&files, &grid(&[2, 3], &tilings)).unwrap();
    let names: Vec<&str> = scenarios.iter().map(|s| s.problem.name.as_str()).collect();
    assert_eq!(names, ["mnist-mlp-2", "mnist-mlp-2-time2", "mnist-mlp-3", "mnist-mlp-3-time2"]);
    assert_eq!(scenarios[2].problem.array_count(), 3);
    assert_eq!(scenarios[1].tiling, "time:2");
    assert!(scenarios[1].problem.task_index("F1.2").is_some());
    // Default hardware: 128x128 weight-stationary, link 100 + 32 B/cycle.
    assert_eq!(scenarios[0].array_sizes, "128x128");
    assert_eq!(scenarios[0].problem.link, Some(crate::cost::Link { latency_cycles: 100, bytes_per_cycle: 32 }));
}

#[test]
fn problem_files_keep_their_arrays() {
    let files = [PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("problems/mnist-mlp-mixed.yaml")];
    let scenarios = build_scenarios(&files, &grid(&[2], &[TilingChoice::None])).unwrap();
    assert_eq!(scenarios.len(), 1);
    assert_eq!(scenarios[0].origin, Origin::ProblemFile);
    assert_eq!(scenarios[0].array_sizes, "2x128x128+2x64x64");
    assert_eq!(scenarios[0].delays, "pipedream");
}

#[test]
fn invalid_grid_point_names_the_model() {
    let files = [models_dir().join("mnist-mlp.yaml")];
    // mnist-mlp has 25 timesteps.
    let error = build_scenarios(&files, &grid(&[2], &[TilingChoice::Whole { split: Split::Time, tiles: 30 }])).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("mnist-mlp.yaml") && message.contains("exceed the 25 timesteps"), "{message}");
}

#[test]
fn duplicate_scenario_names_are_rejected() {
    let files = [models_dir().join("mnist-mlp.yaml"), models_dir().join("mnist-mlp.yaml")];
    let error = build_scenarios(&files, &grid(&[2], &[TilingChoice::None])).unwrap_err();
    assert!(error.message.contains("both named `mnist-mlp-2`"), "{error}");
}

#[test]
fn sequential_schedules_of_sweep_problems_validate() {
    let files = [models_dir().join("nmnist-cnn.yaml")];
    let tilings = [TilingChoice::Whole { split: Split::Time, tiles: 3 }, TilingChoice::Whole { split: Split::Channels, tiles: 2 }];
    for scenario in build_scenarios(&files, &grid(&[3], &tilings)).unwrap() {
        let schedule = crate::sched::list::sequential_schedule(&scenario.problem);
        crate::validate::validate(&scenario.problem, &schedule).unwrap();
    }
}

#[test]
fn csv_quotes_fields_with_commas() {
    let mut r = row("p", 2, "list", 150, Some(1.5), None);
    r.delays = "[3,2,1]".into();
    let csv = to_csv(&[r]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("network,problem,arrays"));
    assert!(lines[1].contains(",\"[3,2,1]\","), "{}", lines[1]);
    assert!(lines[1].contains(",1.500000,"), "{}", lines[1]);
}

#[test]
fn atomic_write_replaces_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/out.csv");
    write_atomic(&path, b"first").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

#[test]
fn report_compares_with_paper_from_numbers() {
    // Two scenarios: ILP speedups 1.2 and 2.4 (mean 1.8, max 2.4 on 4
    // arrays); overheads 0.1% and 0.7%.
    let rows = vec![
        row("net-2", 2, "standard", 240, None, None),
        row("net-2", 2, "ilp", 200, Some(1.2), Some(0.001)),
        row("net-4", 4, "standard", 240, None, None),
        row("net-4", 4, "ilp", 100, Some(2.4), Some(0.007)),
    ];
    let text = render(&rows, &RunInfo { command: "spikepipe sweep x".into(), cores: 2, jobs: 2, ..Default::default() });
    assert!(text.contains("average 1.80x"), "{text}");
    assert!(text.contains("reaches or exceeds the paper's 1.6x"), "{text}");
    assert!(text.contains("largest ILP speedup is 2.40x (net on 4 arrays)"), "{text}");
    assert!(text.contains("1 of 2 scenarios reach 2x or more"), "{text}");
    assert!(text.contains("at most 0.700%"), "{text}");
    assert!(text.contains("does not hold for all of them"), "{text}");
    assert!(text.contains("2 logical cores"), "{text}");
    assert!(text.contains("| net | 2 | 1.80x | 2.40x | - | 0.700% |"), "{text}");
    // The per-network table lists both array counts with their values.
    assert!(text.contains("| 2 | pipedream | none | 7 | 240 | - | 200 | 100 | - | 1.20x |"), "{text}");
}

#[test]
fn report_without_speedups_says_so() {
    let rows = vec![row("net-2", 2, "ilp", 200, None, None)];
    let text = render(&rows, &RunInfo::default());
    assert!(text.contains("cannot be checked from this sweep"), "{text}");
}

#[test]
fn plots_are_written_for_networks_and_problem_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = vec![
        row("net-2", 2, "standard", 240, None, None),
        row("net-2", 2, "list", 220, Some(240.0 / 220.0), Some(0.002)),
        row("net-2", 2, "ilp", 200, Some(1.2), Some(0.001)),
        row("net-4", 4, "standard", 240, None, None),
        row("net-4", 4, "list", 150, Some(1.6), Some(0.003)),
        row("net-4", 4, "ilp", 100, Some(2.4), Some(0.004)),
    ];
    let mut mixed = row("mixed", 4, "ilp", 120, Some(2.0), Some(0.0));
    mixed.origin = Origin::ProblemFile;
    mixed.array_sizes = "2x128x128+2x64x64".into();
    rows.push(mixed);
    let written = plot::draw_all(&rows, dir.path()).unwrap();
    let names: Vec<String> = written.iter().map(|(_, p)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["net-sweep.png", "mixed-schedulers.png"]);
    for (_, path) in &written {
        let bytes = std::fs::read(path).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{} is not a PNG", path.display());
    }
    if let Ok(keep) = std::env::var("SPIKEPIPE_KEEP_PLOTS") {
        for (_, path) in &written {
            std::fs::copy(path, Path::new(&keep).join(path.file_name().unwrap())).unwrap();
        }
    }
}
