#!/usr/bin/env bash
# Reproduces the numbers in BENCHMARKS.md: builds the release CLI and the corpus generator,
# generates 10,000 reports (json, json.gz, eml) and 100,000 (json.gz) from the shared corpus,
# installs parsedmarc 11.1 from PyPI in a venv, and measures mtasts against parsedmarc side
# by side, then runs the criterion benches (mtasts versus bare serde_json) and the browser
# benchmark of the report analyser.
# Not part of the test command: it takes about 10 minutes and 2 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p "${BENCH_DIR:-target/bench}"
OUT=$(realpath "${BENCH_DIR:-target/bench}")
CORPUS=${MTASTS_CORPUS:-../shared/corpus}
cargo build --release -p mtasts-cli --bin mtasts --example gen_reports
[ -d "$OUT/r10k/eml" ] || target/release/examples/gen_reports "$CORPUS" "$OUT/r10k" 10000
[ -d "$OUT/r100k/gz" ] || target/release/examples/gen_reports "$CORPUS" "$OUT/r100k" 100000 gz
[ -x "$OUT/venv/bin/python" ] || python3 -m venv "$OUT/venv"
"$OUT/venv/bin/python" -c 'import parsedmarc' 2>/dev/null || "$OUT/venv/bin/pip" install -q 'parsedmarc==11.1.0'
"$OUT/venv/bin/python" tests/bench/compare.py --mtasts target/release/mtasts --dir "$OUT/r10k" --big "$OUT/r100k/gz"
MTASTS_BENCH_DIR="$OUT/r10k" cargo bench -p mtasts-core --bench reports -- --warm-up-time 2 --measurement-time 5
# The report analyser in headless Chromium: drop to rendered dashboard, longest task.
.ci/setup --browser
PATH="$PWD/tests/e2e/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true trunk build --release
(cd tests/e2e && node bench-reports.mjs "$OUT/r10k/gz" 1000 10000)
