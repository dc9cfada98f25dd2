//! `cargo bench`: the rollup against its floor on a small generated corpus, and check and
//! fix on the sample. Small on purpose, so it runs in a minute or two; the 1,000 and
//! 10,000 workbook runs with peak memory are `scripts/bench-rollup.sh`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jixiao::corpus::{self, Spec};
use jixiao::rollup::{self, CsvEncoding, RollupOptions};

const FILES: usize = 20;

fn corpus_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec {
        files: FILES,
        broken: 0,
        ..Spec::default()
    };
    corpus::generate(dir.path(), &spec, 2).unwrap();
    dir
}

fn rollup_benches(c: &mut Criterion) {
    let corpus = corpus_dir();
    let inputs = rollup::discover(&[corpus.path().to_path_buf()]);
    let out = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group(format!("{FILES}_workbooks"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(FILES as u64));
    for jobs in [1, 2] {
        g.bench_function(format!("floor_calamine_j{jobs}"), |b| {
            b.iter(|| rollup::floor::floor(&inputs, jobs))
        });
        g.bench_function(format!("read_validate_j{jobs}"), |b| {
            b.iter(|| rollup::floor::read_validate(&inputs, jobs))
        });
        g.bench_function(format!("rollup_all_outputs_j{jobs}"), |b| {
            let options = RollupOptions {
                output: out.path().join("p.csv"),
                indicators: Some(out.path().join("i.csv")),
                findings: Some(out.path().join("f.csv")),
                xlsx: Some(out.path().join("s.xlsx")),
                encoding: CsvEncoding::Utf8Bom,
                jobs,
                // Runs again into the same folder.
                force: true,
            };
            b.iter(|| rollup::rollup(&inputs, &options, &mut |_, _| {}).unwrap())
        });
    }
    g.finish();
}

fn sample_benches(c: &mut Criterion) {
    let sample = Path::new("samples/songjiang-kcb-2024.xlsx");
    let out = tempfile::tempdir().unwrap();
    let fixed = out.path().join("fixed.xlsx");
    let mut g = c.benchmark_group("sample_10_projects");
    g.bench_function("check", |b| {
        b.iter(|| jixiao::cli::check_one(sample).unwrap())
    });
    g.bench_function("fix", |b| {
        b.iter(|| jixiao::fix::fix_file(sample, &fixed, true).unwrap())
    });
    g.finish();
}

criterion_group!(benches, rollup_benches, sample_benches);
criterion_main!(benches);
