#!/usr/bin/env python3
"""Differential test of opslint's nginx parser against crossplane.

For every file under the given folders (default: /work/shared/corpus/nginx), parses it with
crossplane (`crossplane.parse(path, single=True, comments=False, check_ctx=False,
check_args=False)`: syntax only) and with `opslint debug nginx-tree`, and compares:

- the verdict: parsed without error, or not;
- for files both parse: every directive's name, line, arguments and nesting.

crossplane keeps escapes as written except `\\"` / `\\'` inside quotes, where nginx resolves
`\\" \\' \\\\ \\t \\r \\n` everywhere; the comparison applies crossplane's rule to our raw tokens so
that only structural differences count (the value difference is by design: ours is nginx's).
`if (…)` arguments lose their parentheses the way crossplane strips them.

    python3 -m venv /tmp/xp && /tmp/xp/bin/pip install crossplane
    /tmp/xp/bin/python scripts/nginx_crossplane_diff.py --opslint target/debug/opslint [DIR…]

Prints the agreement figures and one line per disagreeing file (`-v`: the first difference).
"""
import argparse
import json
import os
import subprocess
import sys

import crossplane


def files_under(dirs):
    out = []
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in sorted(names):
                if n == "SOURCES.tsv":
                    continue
                out.append(os.path.join(root, n))
    return sorted(out)


def xp_value(raw):
    if len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0]:
        q = raw[0]
        return raw[1:-1].replace("\\" + q, q)
    return raw


def strip_if(args):
    """crossplane's `_prepare_if_args`: strip the parentheses, drop the first/last argument
    when that leaves it empty."""
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args = list(args)
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        start = int(not args[0])
        end = len(args) - int(not args[-1])
        args = args[start:end]
    return args


def ours_normalised(stmts):
    out = []
    for s in stmts:
        raw = s.get("raw", [])
        args = [xp_value(r) for r in raw]
        # A raw Lua body is the one extra argument.
        if len(s["args"]) > len(raw):
            args += s["args"][len(raw):]
        if s["directive"] == "if":
            args = strip_if(args)
        n = {"directive": s["directive"], "line": s["line"], "args": args}
        if "block" in s:
            n["block"] = ours_normalised(s["block"])
        out.append(n)
    return out


def theirs_normalised(stmts):
    out = []
    for s in stmts:
        # crossplane hoists comments found between arguments even with comments=False.
        if s["directive"] == "#":
            continue
        n = {"directive": s["directive"], "line": s["line"], "args": s["args"]}
        if "block" in s:
            n["block"] = theirs_normalised(s["block"])
        out.append(n)
    return out


def first_difference(a, b, path="top"):
    for i, (x, y) in enumerate(zip(a, b)):
        where = f"{path}[{i}]"
        for k in ("directive", "line", "args"):
            if x.get(k) != y.get(k):
                return f"{where} {k}: ours {x.get(k)!r} crossplane {y.get(k)!r}"
        if ("block" in x) != ("block" in y):
            return f"{where} ({x['directive']}) block: ours {'block' in x} crossplane {'block' in y}"
        if "block" in x:
            d = first_difference(x["block"], y["block"], f"{where}.{x['directive']}")
            if d:
                return d
    if len(a) != len(b):
        return f"{path}: ours {len(a)} statements, crossplane {len(b)}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opslint", default="target/debug/opslint")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("dirs", nargs="*", default=["/work/shared/corpus/nginx"])
    args = ap.parse_args()
    files = files_under(args.dirs)
    if not files:
        print("no files", file=sys.stderr)
        return 0
    ours = {}
    for i in range(0, len(files), 200):
        chunk = files[i : i + 200]
        res = subprocess.run(
            [args.opslint, "debug", "nginx-tree", *chunk],
            capture_output=True,
            text=True,
            check=True,
        )
        for line in res.stdout.splitlines():
            j = json.loads(line)
            ours[j["path"]] = j
    counts = {"files": 0, "both_ok": 0, "both_failed": 0, "only_ours_failed": 0,
              "only_crossplane_failed": 0, "tree_equal": 0, "tree_differs": 0}
    report = []
    for f in files:
        counts["files"] += 1
        try:
            xp = crossplane.parse(f, single=True, comments=False, check_ctx=False,
                                  check_args=False, catch_errors=True)
            xp_ok = xp["status"] == "ok"
            xp_tree = xp["config"][0]["parsed"] if xp["config"] else []
            xp_err = "; ".join(e.get("error") or "?" for e in xp.get("errors", []))
        except Exception as e:  # crossplane crashes on some inputs
            xp_ok, xp_tree, xp_err = False, [], f"crash: {type(e).__name__}: {e}"
        o = ours.get(f.replace("\\", "/"))
        if o is None:
            report.append(f"MISSING {f}")
            continue
        our_ok = o["ok"]
        if our_ok and xp_ok:
            counts["both_ok"] += 1
            d = first_difference(ours_normalised(o["parsed"]), theirs_normalised(xp_tree))
            if d:
                counts["tree_differs"] += 1
                report.append(f"TREE {f}: {d}")
            else:
                counts["tree_equal"] += 1
        elif not our_ok and not xp_ok:
            counts["both_failed"] += 1
        elif not our_ok:
            counts["only_ours_failed"] += 1
            report.append(f"OURS-FAILED {f}: {o['errors'][0]}")
        else:
            counts["only_crossplane_failed"] += 1
            report.append(f"CROSSPLANE-FAILED {f}: {xp_err[:200]}")
    agree = counts["both_failed"] + counts["tree_equal"]
    print(json.dumps(counts))
    print(f"verdict agreement: {counts['both_ok'] + counts['both_failed']}/{counts['files']}; "
          f"full agreement (same verdict and, when parsed, same tree): {agree}/{counts['files']}")
    for r in report:
        print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
