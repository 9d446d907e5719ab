#!/usr/bin/env python3
"""Validates opslint's machine report formats against their schemas, on findings from every file
type (Dockerfile rules, and the raw-text secret scan in Kubernetes YAML, a Jenkinsfile and an
nginx config), plus an unreadable file and a clean one.

  sarif       tests/schemas/sarif-2.1.0.json (JSON Schema) + GitHub code-scanning requirements
  gitlab      tests/schemas/gitlab-codequality.schema.json + unique fingerprints, no BOM
  checkstyle  tests/schemas/checkstyle.xsd
  junit       well-formed, consistent counts, unique test-case names
  github      workflow-command syntax and escaping

All reports come from ONE run (`--report FORMAT=FILE` for each), and each must equal what
`--output-format FORMAT` prints. No report may contain a secret.

Needs `jsonschema` and `xmlschema` (pip). Uses $OPSLINT_BIN, else target/debug/opslint (built
with `cargo build` when missing). Prints failures and one last line: `N passed, M failed`.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import xmlschema

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "tests" / "schemas"
FORMATS = ["sarif", "gitlab", "checkstyle", "junit", "github"]

# Fake secrets, assembled at run time so this file does not look like it holds any.
TOKEN = "ghp_" + "R7tK2mX9qL4vN8wZ3cB6yD1fH5jP0sA2uE4g"
AWS = "AKIA" + "Z3MSJV4WWNKWW5FG"
PASSWORD = "hunter2-" + "Prod-9x"
SECRETS = [TOKEN, AWS, PASSWORD]

FIXTURE = {
    # Dockerfile rules, with markup, quotes, %, commas and colons in the flagged text, non-ASCII
    # and an astral character before a finding (UTF-16 columns differ from char columns), and
    # two identical findings on identical lines.
    "Dockerfile": (
        "FROM alpine:latest\n"
        'RUN echo "h\u00e9llo \U0001F600 <&> \'q\' 100%, a:b" && sudo ls\n'
        "RUN sudo ls\n"
        "RUN sudo ls\n"
        f"ENV DB_PASSWORD={PASSWORD}\n"
        "MAINTAINER ops@example.com\n"
    ),
    "deploy/app.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n"
        f'  note: "token {TOKEN}"\n'
    ),
    "Jenkinsfile": (
        "pipeline {\n  agent any\n  stages {\n    stage('b') {\n      steps {\n"
        f"        sh 'aws configure set aws_access_key_id {AWS}'\n"
        "      }\n    }\n  }\n}\n"
    ),
    "nginx/site.conf": f"server {{\n  listen 80;\n  # {TOKEN}\n}}\n",
    "odd,dir:x/Dockerfile": "FROM alpine:latest\n",
    "dir with space/Dockerfile": "FROM alpine:3.20\nUSER 10001\nHEALTHCHECK NONE\nCMD [\"true\"]\n",
}

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}"[:2000])


def opslint_bin():
    if os.environ.get("OPSLINT_BIN"):
        return os.environ["OPSLINT_BIN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = target / "debug" / ("opslint.exe" if os.name == "nt" else "opslint")
    if not exe.exists():
        subprocess.run(["cargo", "build", "--quiet", "--bin", "opslint"], cwd=ROOT, check=True)
    return str(exe)


def validate_json(name, instance, schema_file):
    schema = json.loads((SCHEMAS / schema_file).read_text())
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(instance), key=lambda e: list(e.path))
    check(f"{name} schema", not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))


def sarif_checks(log):
    validate_json("sarif", log, "sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    ids = [r["id"] for r in rules]
    results = run["results"]
    check("sarif rules listed (GH1018)", bool(rules))
    for r in rules:
        check(
            f"sarif rule {r['id']} descriptions (GH2012)",
            all(r.get(k, {}).get("text", "").strip() for k in ("shortDescription", "fullDescription", "help")),
            json.dumps(r)[:300],
        )
    check("sarif every fired rule listed", sorted(set(x["ruleId"] for x in results)) == sorted(ids), str(ids))
    bad = []
    for x in results:
        loc = x["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        reg = loc["region"]
        if uri.startswith("/") or uri.startswith("file:") or " " in uri:
            bad.append(f"uri {uri}")
        if ids[x["ruleIndex"]] != x["ruleId"]:
            bad.append(f"ruleIndex {x}")
        if not all(k in reg for k in ("startLine", "startColumn", "endLine", "endColumn")):
            bad.append(f"region {reg}")
        if not x.get("partialFingerprints", {}).get("opslint/v1"):
            bad.append("no fingerprint")
    check("sarif results (relative uris, regions, fingerprints)", not bad, "; ".join(bad[:5]))
    check("sarif columnKind", run.get("columnKind") == "utf16CodeUnits")
    # The finding after the emoji: UTF-16 column = char column + 1 (the emoji is 2 code units).
    sudo = [x for x in results if x["ruleId"] == "DKR020" and x["locations"][0]["physicalLocation"]["region"]["startLine"] == 2]
    line = FIXTURE["Dockerfile"].splitlines()[1]
    want = len(line[: line.index("sudo")].encode("utf-16-le")) // 2 + 1
    got = sudo[0]["locations"][0]["physicalLocation"]["region"]["startColumn"] if sudo else None
    check("sarif utf-16 columns", got == want, f"got {got}, want {want}")


def gitlab_checks(raw, issues):
    validate_json("gitlab", issues, "gitlab-codequality.schema.json")
    check("gitlab no BOM", not raw.startswith("\ufeff"))
    prints = [i["fingerprint"] for i in issues]
    check("gitlab fingerprints unique", len(prints) == len(set(prints)), str(prints))
    types = {i["location"]["path"] for i in issues}
    want = {"Dockerfile", "deploy/app.yaml", "Jenkinsfile", "nginx/site.conf"}
    check("gitlab findings from every file type", want <= types, str(types))
    check("gitlab description is CODE: message", all(i["description"].startswith(i["check_name"] + ": ") for i in issues))


def checkstyle_checks(text):
    schema = xmlschema.XMLSchema(str(SCHEMAS / "checkstyle.xsd"))
    errors = list(schema.iter_errors(text))
    check("checkstyle xsd", not errors, "; ".join(str(e.reason) for e in errors[:3]))


def junit_checks(text):
    try:
        root = ET.fromstring(text.encode())
    except ET.ParseError as e:
        check("junit well-formed", False, str(e))
        return
    check("junit root", root.tag == "testsuites")
    suites = root.findall("testsuite")
    cases = root.iter("testcase")
    names = [(c.get("classname"), c.get("name")) for c in cases]
    check("junit unique test cases", len(names) == len(set(names)), str(names))
    total = {"tests": 0, "failures": 0, "errors": 0}
    for s in suites:
        got = {
            "tests": len(s.findall("testcase")),
            "failures": len(s.findall("testcase/failure")),
            "errors": len(s.findall("testcase/error")),
        }
        for k in total:
            total[k] += got[k]
        check(f"junit suite {s.get('name')} counts", all(int(s.get(k)) == v for k, v in got.items()), str(got))
    check("junit total counts", all(int(root.get(k)) == v for k, v in total.items()), str(total))
    clean = [s for s in suites if s.get("name") == "dir with space/Dockerfile"]
    check("junit passing case for a clean file", bool(clean) and clean[0].get("failures") == "0")


GITHUB = re.compile(
    r"^::(error|warning|notice) file=[^,:]+,line=\d+(,col=\d+,endLine=\d+,endColumn=\d+|,endLine=\d+),title=[^,:]+::[^\r\n]*$"
)


def github_checks(text):
    lines = text.splitlines()
    bad = [l for l in lines if not GITHUB.match(l)]
    check("github command syntax", lines and not bad, "\n".join(bad[:3]))
    check("github escapes line breaks", "%0Ahelp: " in text, text[:300])
    check("github escapes , and : in properties", "file=odd%2Cdir%3Ax/Dockerfile," in text, text[-300:])


def main():
    exe = opslint_bin()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, text in FIXTURE.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8")
        (tmp / "bin").mkdir()
        (tmp / "bin" / "Dockerfile").write_bytes(b"\x7fELF\x00\x00binary")
        out = tmp.parent / (tmp.name + "-out")
        out.mkdir()
        args = [exe, "check", ".", "--isolated", "--output-format", "concise"]
        for f in FORMATS:
            args += ["--report", f"{f}={out / f}"]
        run = subprocess.run(args, cwd=tmp, capture_output=True, text=True)
        check("one run with --report: exit 1", run.returncode == 1, run.stderr[-500:])
        reports = {}
        for f in FORMATS:
            path = out / f
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            reports[f] = text
            same = subprocess.run(
                [exe, "check", ".", "--isolated", "--output-format", f], cwd=tmp, capture_output=True, text=True
            ).stdout
            check(f"{f}: --report equals --output-format", text == same and text != "")
            leaked = [s for s in SECRETS if s in text or s[2:-2] in text]
            check(f"{f}: no secret", not leaked, str(leaked))
        try:
            sarif_checks(json.loads(reports["sarif"]))
            gitlab_checks(reports["gitlab"], json.loads(reports["gitlab"]))
        except (json.JSONDecodeError, KeyError, IndexError) as e:
            check("json reports parse", False, repr(e))
        checkstyle_checks(reports["checkstyle"])
        junit_checks(reports["junit"])
        github_checks(reports["github"])
        for p in out.iterdir():
            p.unlink()
        out.rmdir()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
