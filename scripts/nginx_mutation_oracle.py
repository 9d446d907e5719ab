#!/usr/bin/env python3
"""Mutation test of the nginx structure verdict against `nginx -t`.

Takes the valid fixtures of tests/nginx_t/, applies 1–2 random edits (insert one of
`; { } " ' \\ $ # ( ) ${` / a space / a newline / a letter, or delete 1–3 characters), and runs
`nginx -t` and `opslint check --select NGX001,NGX002,NGX003,NGX004,NGX005` on the result. A
mutant that nginx rejects for a reason outside the structure rules (a bad value, a regex that
does not compile, an unknown variable, a host it cannot resolve) is skipped and counted.

    python3 scripts/nginx_mutation_oracle.py --opslint target/debug/opslint --seed 7 -n 700
"""
import argparse
import collections
import glob
import json
import os
import random
import re
import shutil
import subprocess
import tempfile

STRUCTURE = re.compile(
    r'unexpected|not terminated|has no opening|invalid number of arguments|not allowed here'
    r'|unknown directive|is duplicate|must be "on" or "off"|duplicate listen'
)
EDITS = [';', '{', '}', '"', "'", '\\', '$', '#', ' ', '\n', '(', ')', '${', 'x']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--opslint', default='target/debug/opslint')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('-n', type=int, default=300)
    args = ap.parse_args()
    random.seed(args.seed)
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = sorted(glob.glob(os.path.join(here, '..', 'tests', 'nginx_t', 'valid_*.conf')))
    counts = collections.Counter()
    shown = []
    for _ in range(args.n):
        src = open(random.choice(fixtures)).read()
        for _ in range(random.randint(1, 2)):
            i = random.randrange(len(src) + 1)
            if random.random() < 0.4 and len(src) > 1:
                src = src[:i] + src[min(len(src), i + random.randint(1, 3)):]
            else:
                src = src[:i] + random.choice(EDITS) + src[i:]
        d = tempfile.mkdtemp()
        try:
            os.makedirs(os.path.join(d, 'logs'))
            os.makedirs(os.path.join(d, 'html'))
            conf = os.path.join(d, 'nginx.conf')
            with open(conf, 'w') as f:
                f.write(src)
            r = subprocess.run(['nginx', '-t', '-q', '-e', 'stderr', '-p', d + '/', '-c', conf],
                               capture_output=True, text=True)
            message = (r.stderr.strip().splitlines() or [''])[0]
            o = subprocess.run([args.opslint, 'check', '--isolated', '--type', 'nginx',
                                '--select', 'NGX001,NGX002,NGX003,NGX004,NGX005',
                                '--output-format', 'json', '--exit-zero', conf],
                               capture_output=True, text=True, check=True)
            ours = json.loads(o.stdout)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        nginx_ok = r.returncode == 0
        if not nginx_ok and not STRUCTURE.search(message):
            counts['skipped (rejected for a value, not the structure)'] += 1
            continue
        if nginx_ok == (not ours):
            counts['agree'] += 1
        else:
            counts['disagree'] += 1
            shown.append((message, [x['message'] for x in ours][:2], src))
    print(dict(counts))
    for message, ours, src in shown[:20]:
        print('---', message, '| opslint:', ours)
        print(src)


if __name__ == '__main__':
    main()
