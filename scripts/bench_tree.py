#!/usr/bin/env python3
"""The whole run on big synthetic trees: is opslint linear in the number of files, and does its
memory stay flat?

usage: scripts/bench_tree.py [--bin target/release/opslint] [--sizes 10000 100000] [--runs 3]
                             [--docker DIR] [--jenkins DIR] [--format json] [--together]

Builds, once, a tree of N files under target/bench-tree/N/ by copying the corpus files in turn
(../shared/corpus/kubernetes and nginx, plus the Dockerfile and Jenkinsfile folders given, each
copy of the corpus in its own folder c00/, c01/, …; Dockerfiles and Jenkinsfiles are named so,
so that detection by name finds them). Then, per size, prints the median wall time of
`opslint check --isolated --select ALL --output-format FORMAT --exit-zero TREE > /dev/null`, the
time per file, the peak resident memory of the process (getrusage), and the time to read the
same files once (`cat`, in this process, warm cache).

--together first times one run over the corpus folders themselves (all four sets at once, as
given) against reading the same files.
"""
import argparse, os, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
SKIP = {"SOURCES.tsv", "README.md", "REJECTED.tsv"}


def files_in(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.join(root, n) for n in names if n not in SKIP]
    return sorted(out)


def sources(args):
    """(set name, folder, files, file name to force or None)."""
    sets = [("kubernetes", os.path.join(CORPUS, "kubernetes"), None),
            ("nginx", os.path.join(CORPUS, "nginx"), None)]
    if args.docker:
        sets.append(("docker", args.docker, "Dockerfile"))
    if args.jenkins:
        sets.append(("jenkins", args.jenkins, "Jenkinsfile"))
    return [(name, d, files_in(d), rename) for name, d, rename in sets]


def target_path(tree, copy, name, base, path, rename):
    rel = os.path.relpath(path, base)
    if rename:
        rel = os.path.join(rel.replace(os.sep, "__"), rename)
    return os.path.join(tree, f"c{copy:02}", name, rel)


def build(tree, n, sets):
    marker = os.path.join(tree, ".complete")
    if os.path.exists(marker):
        return
    shutil.rmtree(tree, ignore_errors=True)
    made, copy = 0, 0
    while made < n:
        for name, base, paths, rename in sets:
            for p in paths:
                if made == n:
                    break
                dst = target_path(tree, copy, name, base, p, rename)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(p, dst)
                made += 1
        copy += 1
    with open(marker, "w") as f:
        f.write(f"{n}\n")


def run_once(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "opslint"))
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--docker")
    ap.add_argument("--jenkins")
    ap.add_argument("--format", default="json")
    ap.add_argument("--together", action="store_true")
    a = ap.parse_args()
    sets = sources(a)
    if a.together:
        together(a, sets)
    print(f"{'files':>7} {'MB':>7} {'opslint s':>10} {'µs/file':>8} {'peak MB':>8} {'cat s':>7} {'ops/cat':>8}")
    for n in a.sizes:
        tree = os.path.join(ROOT, "target", "bench-tree", str(n))
        build(tree, n, sets)
        paths = [p for p in files_in(tree) if not p.endswith(".complete")]
        mb = sum(os.path.getsize(p) for p in paths) / 1e6
        cmd = [a.bin, "check", "--isolated", "--select", "ALL", "--output-format", a.format,
               "--exit-zero", tree]
        walls = [run_once(cmd) for _ in range(a.runs + 1)]  # the first is a warm-up
        peak = measure_peak(cmd)
        wall = statistics.median(walls[1:])
        cat = median_cat(paths, a.runs)
        print(f"{len(paths):7} {mb:7.1f} {wall:10.3f} {wall / len(paths) * 1e6:8.1f} {peak:8.1f} {cat:7.3f} {wall / cat:8.1f}")


def median_cat(paths, runs):
    ts = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        for p in paths:
            with open(p, "rb") as f:
                f.read()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts[1:])


def together(a, sets):
    folders = [d for _, d, _, _ in sets]
    paths = [p for _, _, ps, _ in sets for p in ps]
    mb = sum(os.path.getsize(p) for p in paths) / 1e6
    cmd = [a.bin, "check", "--isolated", "--select", "ALL", "--output-format", a.format,
           "--exit-zero", *folders]
    wall = statistics.median([run_once(cmd) for _ in range(a.runs + 1)][1:])
    cat = median_cat(paths, a.runs)
    print(f"all corpora in one run: {len(paths)} files, {mb:.1f} MB: opslint {wall:.3f} s, "
          f"cat {cat:.3f} s, {wall / cat:.1f}x, peak {measure_peak(cmd):.0f} MB")


def measure_peak(cmd):
    """The peak resident memory of one run, in MB: RUSAGE_CHILDREN's maximum covers every child
    waited for, so the run is made by a fresh Python process that has no other child."""
    code = ("import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True)
    return int(out.stdout.strip() or 0) / 1024


if __name__ == "__main__":
    main()
