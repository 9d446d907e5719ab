#!/usr/bin/env python3
"""Dump the instruction boundaries BuildKit's own parser finds, one JSON line per Dockerfile.

usage: buildkit_instructions.py [--strict] PATH...
       (a PATH that is a folder is walked recursively; SOURCES.tsv / README* are skipped there)

--strict: also report what BuildKit's next stage (instructions.Parse, which `docker build` runs)
          rejects and this parser stage accepts: an unknown instruction. The file is then
          {"ok": false, "error": "line L: unknown instruction: X", "instructions": [...]}.
          Without it, "ok" is exactly "BuildKit's parser.Parse returned no error".

Each line is either
  {"path": P, "ok": true, "instructions": [{"keyword": "RUN", "start_line": 3, "end_line": 5}, ...]}
or
  {"path": P, "ok": false, "error": "..."}

Needs `pip install dockerfile` (a wrapper around BuildKit's Go parser,
github.com/moby/buildkit/frontend/dockerfile/parser; dockerfile 3.4.0 embeds BuildKit v0.12.5).

What the values mean (checked against dockerfile 3.4.0):
  * start_line / end_line are BuildKit's Node.StartLine / Node.EndLine: 1-based, inclusive.
  * end_line covers continuation lines, comment and blank lines inside a continuation, and for
    heredocs the body and the terminator line (`RUN <<EOF` / body / `EOF` -> start..terminator).
    A continuation left open at end of file runs to the last line, blank lines included.
  * The `# escape=` (and `# syntax=`) parser directives are honoured.
  * Comment / blank lines between instructions belong to no instruction.
  * keyword is upper-cased here (the wrapper returns it as written in the file). Unknown
    instructions (`FOO bar`) are accepted by this parser stage, as in BuildKit; ONBUILD is one
    instruction with keyword ONBUILD.
  * Errors the parser raises carry no line number (e.g. "unterminated heredoc",
    "file with no instructions").
"""
import json, os, sys

import dockerfile

SKIP_NAMES = {"SOURCES.tsv"}
KNOWN = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
         "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}


def iter_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    if name in SKIP_NAMES or name.startswith("README"):
                        continue
                    yield os.path.join(root, name)
        else:
            yield p


def dump(path, strict=False):
    try:
        cmds = dockerfile.parse_file(path)
    except (dockerfile.GoParseError, dockerfile.GoIOError) as e:
        return {"path": path, "ok": False, "error": str(e)}
    instructions = [
        {"keyword": c.cmd.upper(), "start_line": c.start_line, "end_line": c.end_line} for c in cmds
    ]
    if strict:
        for i in instructions:
            if i["keyword"] not in KNOWN:
                return {"path": path, "ok": False, "instructions": instructions,
                        "error": f"line {i['start_line']}: unknown instruction: {i['keyword']}"}
    return {"path": path, "ok": True, "instructions": instructions}


def main(argv):
    strict = "--strict" in argv
    argv = [a for a in argv if a != "--strict"]
    if not argv or argv[0] in ("-h", "--help"):
        sys.exit(__doc__)
    out = sys.stdout
    for path in iter_files(argv):
        out.write(json.dumps(dump(path, strict)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
