#!/usr/bin/env python3
"""Agreement of opslint's Kubernetes rules with checkov, per object (checkov reports per resource).

usage: checkov_agreement.py DIR MAP.json CHECKOV.json OPSLINT.json OUT.json

DIR holds the sample as compare.py takes it (0.yaml…299.yaml), MAP.json maps those names to the
corpus paths, CHECKOV.json is `checkov -d DIR --framework kubernetes -o json --quiet --compact
--skip-download`, OPSLINT.json is `opslint check --isolated --select ALL --output-format json
--exit-zero DIR`. Objects are keyed by (file, YAML document); prints the table per check and
writes every disagreement to OUT.json.
"""
import json, re, sys, collections, os
D = sys.argv[1]
M = json.load(open(sys.argv[2]))
ck = json.load(open(sys.argv[3]))
ops = json.load(open(sys.argv[4]))

def docs(fname):
    lines = open(os.path.join(D, fname), errors='replace').read().split('\n')
    starts = [0]
    for i, l in enumerate(lines):
        if re.match(r'^---', l):
            starts.append(i + 1)  # 0-based line after ---
    out = []
    for j, s in enumerate(starts):
        e = starts[j + 1] if j + 1 < len(starts) else len(lines)
        text = lines[s:e]
        kind = next((re.sub(r'^kind:\s*', '', l).strip() for l in text if re.match(r'^kind:', l)), '?')
        name = '?'
        for k, l in enumerate(text):
            if re.match(r'^metadata:', l):
                for l2 in text[k + 1:]:
                    m = re.match(r'^\s+name:\s*(\S+)', l2)
                    if m and len(l2) - len(l2.lstrip()) <= 4:
                        name = m.group(1).strip('"\''); break
                    if re.match(r'^\S', l2): break
                break
        out.append((s + 1, e, kind, name))
    return out

DOCS = {}
def doc_of(fname, line):
    if fname not in DOCS: DOCS[fname] = docs(fname)
    for i, (s, e, k, n) in enumerate(DOCS[fname]):
        if s <= line <= e:
            return i, k, n
    return -1, '?', '?'

# check -> our code (+ message predicate)
MAP = {
    'CKV_K8S_10': ('K8S003', lambda m: 'CPU' in m),
    'CKV_K8S_12': ('K8S003', lambda m: 'memory' in m),
    'CKV_K8S_11': ('K8S005', None),
    'CKV_K8S_13': ('K8S004', None),
    'CKV_K8S_8': ('K8S008', None),
    'CKV_K8S_9': ('K8S007', None),
    'CKV_K8S_16': ('K8S013', None),
    'CKV_K8S_20': ('K8S014', None),
    'CKV_K8S_23': ('K8S015', None),
    'CKV_K8S_17': ('K8S019', lambda m: 'hostPID' in m),
    'CKV_K8S_18': ('K8S019', lambda m: 'hostIPC' in m),
    'CKV_K8S_19': ('K8S019', lambda m: 'hostNetwork' in m),
    'CKV_K8S_14': ('K8S012', None),
    'CKV_K8S_27': ('K8S020', lambda m: 'Docker socket' in m or 'docker.sock' in m),
}
ckset = collections.defaultdict(set)   # check -> {(file, doc)}
label = {}
for f in ck['results']['failed_checks']:
    if f['check_id'] not in MAP: continue
    fn = f['file_path'].lstrip('/')
    d, k, n = doc_of(fn, f['file_line_range'][0])
    ckset[f['check_id']].add((fn, d)); label[(fn, d)] = (k, n, f['resource'])
opset = collections.defaultdict(set); opmsg = collections.defaultdict(list)
for x in ops:
    fn = os.path.basename(x['path'])
    for chk, (code, pred) in MAP.items():
        if x['code'] == code and (pred is None or pred(x['message'])):
            d, k, n = doc_of(fn, x['location']['line'])
            opset[chk].add((fn, d)); label.setdefault((fn, d), (k, n, '')); opmsg[(chk, fn, d)].append(f"L{x['location']['line']}: {x['message']}")
rows = []; dis = []
for chk in MAP:
    a, b = ckset[chk], opset[chk]
    rows.append((chk, MAP[chk][0], len(a & b), len(a - b), len(b - a)))
    for side, s in (('only checkov', a - b), ('only opslint', b - a)):
        for (fn, d) in sorted(s, key=lambda t: (int(t[0].split('.')[0]), t[1])):
            k, n, r = label[(fn, d)]
            dis.append((chk, side, fn, M[fn], d, k, n, opmsg.get((chk, fn, d), [])))
print('check | ours | both | only checkov | only opslint')
for r in rows: print(' | '.join(map(str, r)))
json.dump(dis, open(sys.argv[5], 'w'), indent=1)
print(len(dis), 'disagreements')
