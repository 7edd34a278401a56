#!/usr/bin/env python3
"""Side-by-side timing of mtasts and parsedmarc on the same report files, in one run.

parsedmarc runs in-process (its functions, as the issue prescribes: parse_smtp_tls_report_json
for JSON, parse_report_file(offline=True) for .json.gz, parse_report_email(offline=True) for
.eml); mtasts runs as its CLI, `mtasts report --json DIR`, on every core (its default
--jobs), so its time includes process start, directory walk, reading, aggregation and JSON
output. Both read
the files from disk. Prints a Markdown table.
"""
import argparse
import glob
import os
import resource
import subprocess
import sys
import time


def best_of(n, fn):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def parsedmarc_run(fmt, files):
    import parsedmarc
    fn = {
        "json": lambda b: parsedmarc.parse_smtp_tls_report_json(b),
        "gz": lambda b: parsedmarc.parse_report_file(b, offline=True),
        "eml": lambda b: parsedmarc.parse_report_email(b, offline=True),
    }[fmt]
    rejected = 0
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        try:
            fn(data)
        except Exception:  # parsedmarc rejects some real-world quirks; count them
            rejected += 1
    return rejected


def peak_rss_kib(cmd):
    """Peak RSS of `cmd`, measured in a fresh interpreter so no earlier child counts."""
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,check=False);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mtasts", required=True)
    ap.add_argument("--dir", required=True, help="directory with json/ gz/ eml/ subdirectories")
    ap.add_argument("--big", help="directory of many .json.gz files for the memory measurement")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import parsedmarc
    rows = []
    for fmt in ["json", "gz", "eml"]:
        d = os.path.join(args.dir, fmt)
        files = sorted(glob.glob(os.path.join(d, "*")))
        n = len(files)
        rejected = parsedmarc_run(fmt, files[:50])  # warm-up and rejection count
        t_pdm = best_of(1 if fmt == "eml" else args.repeat, lambda: parsedmarc_run(fmt, files))
        rejected = parsedmarc_run(fmt, files) if fmt != "eml" else rejected * n // 50
        t_mt = best_of(args.repeat, lambda: subprocess.run([args.mtasts, "report", "--json", d],
                                                           stdout=subprocess.DEVNULL, check=False))
        rows.append((fmt, n, t_pdm, t_mt, rejected))

    print(f"parsedmarc {parsedmarc.__version__}, Python {sys.version.split()[0]}; "
          f"mtasts {subprocess.run([args.mtasts, '--version'], capture_output=True, text=True).stdout.strip()}\n")
    print("| input | reports | parsedmarc | mtasts | per report (parsedmarc / mtasts) | speed-up | parsedmarc rejected |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for fmt, n, tp, tm, rej in rows:
        print(f"| {fmt} | {n} | {tp:.2f} s | {tm:.3f} s | {tp / n * 1e6:.0f} µs / {tm / n * 1e6:.1f} µs "
              f"| **{tp / tm:.1f}×** | {rej}{' (est.)' if fmt == 'eml' else ''} |")

    if args.big:
        small = os.path.join(args.dir, "gz")
        n_small = len(os.listdir(small))
        n_big = len(os.listdir(args.big))
        rss_small = peak_rss_kib([args.mtasts, "report", "--json", small])
        rss_big = peak_rss_kib([args.mtasts, "report", "--json", args.big])
        print(f"\nPeak memory (max RSS) of `mtasts report --json`: {n_small} reports {rss_small / 1024:.1f} MiB, "
              f"{n_big} reports {rss_big / 1024:.1f} MiB ({n_big / n_small:.0f}× the reports, "
              f"{rss_big / rss_small:.2f}× the memory).")


if __name__ == "__main__":
    main()
