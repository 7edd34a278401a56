#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ on the stable toolchain (always `-s none`: the
# default address sanitizer needs nightly).
#   tests/fuzz/run.sh [SECONDS] [TARGET...]    default: 20 s each, every target
# Each run starts from the committed seeds (fuzz/seeds/TARGET) plus the matching inputs of
# ../shared/corpus (or $MTASTS_CORPUS), copied into target/fuzz-corpus/TARGET, where new
# inputs accumulate between runs. A crash stops the script with the input saved under
# fuzz/artifacts/TARGET/; commit it to fuzz/regressions/TARGET/ with the fix (the
# `fuzz_regressions` test replays that folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-20}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(sts_record tlsrpt_record policy policy_fetch dns_answer report_json report_input certificate evaluate deploy probe dkim)
CORPUS=${MTASTS_CORPUS:-$PWD/../shared/corpus}

# The shared corpus's inputs by kind, one file each, for the targets that read that kind.
shared_seeds() {
  local target=$1 dir=$2
  python3 - "$CORPUS" "$target" "$dir" <<'PY'
import json, os, sys, hashlib, pathlib
corpus, target, out = sys.argv[1:]
kinds = {"sts_record": "sts-txt", "tlsrpt_record": "tlsrpt-txt", "policy": "policy"}
def put(data):
    pathlib.Path(out, "shared-" + hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)
for root, _, files in os.walk(corpus):
    for f in files:
        p = os.path.join(root, f)
        if f.endswith("vectors.json"):
            for v in json.load(open(p)):
                if kinds.get(target) == v.get("kind") and isinstance(v.get("input"), str):
                    put(v["input"].encode())
                if target == "policy_fetch" and v.get("kind") == "policy" and isinstance(v.get("input"), str):
                    put(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + v["input"].encode())
        elif target in ("report_json", "report_input") and not f.endswith((".tsv", ".md")):
            data = open(p, "rb").read()
            if len(data) < 256 * 1024 and (target == "report_input" or f.endswith(".json")):
                put(data)
PY
}

cargo fuzz build -s none 2>&1 | grep -E "^(error|warning: unused)" -A5 || true
for t in "${TARGETS[@]}"; do
  work=target/fuzz-corpus/$t
  mkdir -p "$work" "fuzz/seeds/$t"
  shared_seeds "$t" "$work"
  echo "fuzz: $t for ${SECONDS_EACH}s" >&2
  dirs=("$work" "fuzz/seeds/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  cargo fuzz run -s none "$t" "${dirs[@]}" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+== ERROR|SUMMARY|thread .* panicked|Done [0-9]+ runs)|cov:" | tail -4
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: $t FAILED; the input is in fuzz/artifacts/$t/" >&2; exit 1; }
done
