#!/usr/bin/env python3
"""Compare opslint's Dockerfile instruction boundaries with BuildKit's.

usage:
  dockerfile_diff.py BUILDKIT.jsonl OPSLINT.jsonl [--max N]
  dockerfile_diff.py --run OPSLINT_BIN PATH... [--max N]
      (runs scripts/buildkit_instructions.py and `OPSLINT_BIN debug dockerfile-instructions`
       on every file under PATH..., in batches, then compares)

Both inputs are JSON lines, one per file:
  {"path": P, "ok": true,  "instructions": [{"keyword": "RUN", "start_line": 3, "end_line": 5}]}
  {"path": P, "ok": false, "error": "..."}
opslint's lines may also carry "errors": [{"line": L, "message": M}] (ok == no errors); when
they do, its instructions (if any) are still compared.

Prints: files compared, files where both agree, files where they differ (with the first
differing instruction), files one side rejects and the other accepts (with both errors), every
file opslint reports errors on (with the messages), and files only one side lists.
Always exits 0 (it is a report, not a test); --max N limits each listing (default: all).
"""
import collections, json, os, signal, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def norm(path):
    return os.path.normpath(path)


def load(lines, side):
    """path -> record; also returns lines that are not JSON / lack a path."""
    recs, junk = {}, []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
            path = rec["path"]
        except (ValueError, KeyError, TypeError) as e:
            junk.append(f"{side} line {n}: {e}: {line[:200]}")
            continue
        recs[norm(path)] = rec
    return recs, junk


def errors_of(rec):
    """The error messages of a record, as strings ('' list if none)."""
    out = []
    for e in rec.get("errors") or []:
        if isinstance(e, dict):
            line = e.get("line")
            out.append(f"line {line}: {e.get('message')}" if line is not None else str(e.get("message")))
        else:
            out.append(str(e))
    if rec.get("error"):
        out.append(str(rec["error"]))
    return out


def accepts(rec):
    return bool(rec.get("ok"))


def instr(i):
    if i is None:
        return "(none)"
    return f"{i.get('keyword')} {i.get('start_line')}-{i.get('end_line')}"


def first_difference(a, b):
    """(index, kind, buildkit instruction, opslint instruction) or None if equal."""
    for k in range(max(len(a), len(b))):
        x = a[k] if k < len(a) else None
        y = b[k] if k < len(b) else None
        if x is None or y is None:
            return k, "count", x, y
        if str(x.get("keyword", "")).upper() != str(y.get("keyword", "")).upper():
            return k, "keyword", x, y
        if x.get("start_line") != y.get("start_line"):
            return k, "start_line", x, y
        if x.get("end_line") != y.get("end_line"):
            return k, "end_line", x, y
    return None


def compare(bk, ol, limit, out=sys.stdout):
    def p(*a):
        print(*a, file=out)

    def listing(title, items):
        p(f"\n== {title}: {len(items)}")
        for line in items[:limit]:
            p("  " + line)
        if len(items) > limit:
            p(f"  ... {len(items) - limit} more (use --max)")

    both = sorted(set(bk) & set(ol))
    agree, differ, rejects, opslint_errors = [], [], [], []
    kinds = collections.Counter()
    both_reject = []
    for path in both:
        b, o = bk[path], ol[path]
        if accepts(b) != accepts(o):
            who = "opslint rejects, BuildKit accepts" if accepts(b) else "BuildKit rejects, opslint accepts"
            rejects.append(f"{path}: {who}\n      buildkit: {'; '.join(errors_of(b)) or '-'}"
                           f"\n      opslint:  {'; '.join(errors_of(o)) or '-'}")
        elif not accepts(b):
            both_reject.append(f"{path}\n      buildkit: {'; '.join(errors_of(b))}"
                               f"\n      opslint:  {'; '.join(errors_of(o))}")
        if not accepts(b) or (not accepts(o) and not o.get("instructions")):
            pass  # one side has no instructions to compare (listed above as a rejection)
        else:
            d = first_difference(b.get("instructions") or [], o.get("instructions") or [])
            if d is None:
                if accepts(o):
                    agree.append(path)
            else:
                k, kind, x, y = d
                kinds[kind] += 1
                differ.append(f"{path}: instruction #{k + 1} ({kind}): buildkit {instr(x)}, opslint {instr(y)}")
        if errors_of(o) and (o.get("errors") or not accepts(o)):
            opslint_errors.append(f"{path}\n" + "\n".join("      " + m for m in errors_of(o)))

    p(f"files compared: {len(both)}")
    p(f"both agree (both accept, same instructions): {len(agree)}")
    p(f"instructions differ: {len(differ)}" + (f"  ({', '.join(f'{k}: {v}' for k, v in kinds.most_common())})" if kinds else ""))
    p(f"one side rejects, the other accepts: {len(rejects)}")
    p(f"both reject: {len(both_reject)}")
    p(f"opslint reports errors on: {len(opslint_errors)}")
    listing("instructions differ (first differing instruction)", differ)
    listing("one side rejects, the other accepts", rejects)
    listing("both reject", both_reject)
    listing("files opslint reports errors on", opslint_errors)
    only_b = sorted(set(bk) - set(ol))
    only_o = sorted(set(ol) - set(bk))
    if only_b or only_o:
        listing("only in BuildKit's dump", only_b)
        listing("only in opslint's dump", only_o)


def iter_files(paths):
    sys.path.insert(0, HERE)
    from buildkit_instructions import iter_files as it
    return list(it(paths))


def run(opslint_bin, paths, batch=500):
    files = iter_files(paths)
    bk = subprocess.run([sys.executable, os.path.join(HERE, "buildkit_instructions.py"), *files],
                        capture_output=True, text=True, check=True).stdout.splitlines()
    ol = []
    for i in range(0, len(files), batch):
        r = subprocess.run([opslint_bin, "debug", "dockerfile-instructions", *files[i:i + batch]],
                           capture_output=True, text=True)
        ol += r.stdout.splitlines()
        if r.returncode not in (0, 1):
            sys.stderr.write(f"opslint exited {r.returncode} on batch {i // batch}: {r.stderr[-2000:]}\n")
    return bk, ol


def main(argv):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends quietly
    limit = 10 ** 9
    if "--max" in argv:
        i = argv.index("--max")
        limit = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) >= 3 and argv[0] == "--run":
        bk_lines, ol_lines = run(argv[1], argv[2:])
    elif len(argv) == 2 and not argv[0].startswith("-"):
        with open(argv[0]) as f:
            bk_lines = f.read().splitlines()
        with open(argv[1]) as f:
            ol_lines = f.read().splitlines()
    else:
        sys.exit(__doc__)
    bk, junk_b = load(bk_lines, "buildkit")
    ol, junk_o = load(ol_lines, "opslint")
    compare(bk, ol, limit)
    if junk_b or junk_o:
        print(f"\n== lines that are not a JSON record with a path: {len(junk_b) + len(junk_o)}")
        for j in (junk_b + junk_o)[:limit]:
            print("  " + j)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
