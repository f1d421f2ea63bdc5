#!/usr/bin/python3.11
"""run_fuzz.py — run one libFuzzer harness for a bounded time, for meson.

    run_fuzz.py HARNESS SEEDS WORK SECONDS

The seed corpus (committed, tests/fuzz/corpus/<name>) is read, never
written: new inputs go to WORK (in the build tree), and so do the inputs
that crash, leak or trip a sanitizer (WORK/findings/), named in the output.
Exit status: the harness's, so that any finding fails the test.
"""
import os
import re
import subprocess
import sys


def main():
    harness, seeds, work, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    corpus = os.path.join(work, "corpus")
    findings = os.path.join(work, "findings")
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(findings, exist_ok=True)
    argv = [harness, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
            "-print_final_stats=1", f"-artifact_prefix={findings}/", corpus, seeds]
    print(" ".join(argv), flush=True)
    r = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    done = re.findall(r"Done (\d+) runs in (\d+) second", r.stderr)
    if done:
        print(f"{os.path.basename(harness)}: {done[-1][0]} executions in {done[-1][1]} s, "
              f"corpus {len(os.listdir(corpus))} inputs", flush=True)
    if r.returncode != 0:
        print(r.stderr[-6000:])
        print(f"FINDING: {os.listdir(findings)} in {findings}")
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
