"""Finite-difference verification for every file in this corpus.

Ground truth = central finite differences of an independent, value-only
reference forward pass written here (ref_loss).  For every file and every
configuration we check:
  * loss value vs ref_loss,
  * each gradient tensor vs the finite-difference gradient,
  * keys / shapes / dtype of grads, and that inputs are not modified.
The set of wrong tensors (union over configurations) is then compared with
MANIFEST.json.  A second "ties" pass feeds integer-valued data (many exact
ties in the max-pool windows and exact zeros at the ReLUs, where finite
differences are meaningless) and checks that all correct files agree
exactly with each other.

usage: python3 fd_check.py [-v]
"""
import glob
import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from buggy_lines import entry_line_problems  # noqa: E402  (the buggy lines quote the source)
KEYS = ('W1', 'b1', 'W2', 'b2', 'W3', 'b3')


class Spec:
    def __init__(self, loss, l2, input_shape=None, layers=None):
        self.loss = loss
        self.l2 = l2
        self.input_shape = input_shape
        self.layers = layers


# ------------------------------------------------------------------ reference
def ref_loss(params, X, Y, spec):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in KEYS)
    N, C, H, W = X.shape
    F, _, K, _ = W1.shape
    P = (K - 1) // 2
    Xp = np.zeros((N, C, H + 2 * P, W + 2 * P))
    Xp[:, :, P:P + H, P:P + W] = X
    Ho, Wo = H + 2 * P - K + 1, W + 2 * P - K + 1
    conv = np.zeros((N, F, Ho, Wo))
    for f in range(F):
        for i in range(Ho):
            for j in range(Wo):
                conv[:, f, i, j] = (Xp[:, :, i:i + K, j:j + K] * W1[f]).sum(axis=(1, 2, 3)) + b1[f]
    r = np.where(conv > 0, conv, 0.0)
    H2, W2s = Ho // 2, Wo // 2
    pool = np.zeros((N, F, H2, W2s))
    for i in range(H2):
        for j in range(W2s):
            pool[:, :, i, j] = r[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max(axis=(2, 3))
    hid = pool.reshape(N, -1) @ W2 + b2
    hid = np.where(hid > 0, hid, 0.0)
    s = hid @ W3 + b3
    if spec.loss == 'softmax_cross_entropy':
        data = 0.0
        for n in range(N):
            m = s[n].max()
            data += m + np.log(np.exp(s[n] - m).sum()) - s[n, Y[n]]
        data /= N
    elif spec.loss == 'svm':
        data = 0.0
        for n in range(N):
            for c in range(s.shape[1]):
                if c != Y[n]:
                    data += max(0.0, s[n, c] - s[n, Y[n]] + 1.0)
        data /= N
    else:
        raise ValueError(spec.loss)
    return data + spec.l2 / (2 * N) * sum((params[k] ** 2).sum() for k in ('W1', 'W2', 'W3'))


def fd_grads(params, X, Y, spec, h=1e-6):
    g = {}
    for k in KEYS:
        p = {kk: v.copy() for kk, v in params.items()}
        gk = np.zeros_like(p[k])
        it = np.nditer(p[k], flags=['multi_index'])
        for _ in it:
            idx = it.multi_index
            old = p[k][idx]
            p[k][idx] = old + h
            lp = ref_loss(p, X, Y, spec)
            p[k][idx] = old - h
            lm = ref_loss(p, X, Y, spec)
            p[k][idx] = old
            gk[idx] = (lp - lm) / (2 * h)
        g[k] = gk
    return g


# ------------------------------------------------------------------ cases
SHAPES = [
    dict(N=3, C=2, H=6, W=6, F=3, K=3, Hd=5, cls=4),
    dict(N=2, C=1, H=4, W=8, F=2, K=5, Hd=3, cls=3),
    dict(N=4, C=3, H=4, W=4, F=2, K=1, Hd=4, cls=5),
    dict(N=1, C=2, H=6, W=6, F=3, K=3, Hd=5, cls=4),
]


def make_case(sh, seed, integer=False):
    rng = np.random.default_rng(seed)
    N, C, H, W, F, K, Hd, cls = (sh[k] for k in ('N', 'C', 'H', 'W', 'F', 'K', 'Hd', 'cls'))
    D = F * (H // 2) * (W // 2)
    if integer:
        X = rng.integers(-1, 2, (N, C, H, W)).astype(np.float64)
        params = {
            'W1': rng.integers(-1, 2, (F, C, K, K)).astype(np.float64),
            'b1': rng.integers(0, 2, F).astype(np.float64),
            'W2': rng.integers(-1, 2, (D, Hd)).astype(np.float64) * 0.5,
            'b2': rng.integers(-1, 2, Hd).astype(np.float64),
            'W3': rng.integers(-2, 3, (Hd, cls)).astype(np.float64) * 0.25,
            'b3': rng.integers(-1, 2, cls).astype(np.float64) * 0.5,
        }
    else:
        X = rng.standard_normal((N, C, H, W))
        params = {
            'W1': rng.standard_normal((F, C, K, K)) * 0.5,
            'b1': rng.standard_normal(F) * 0.2,
            'W2': rng.standard_normal((D, Hd)) * 0.4,
            'b2': rng.standard_normal(Hd) * 0.2,
            'W3': rng.standard_normal((Hd, cls)) * 0.6,
            'b3': rng.standard_normal(cls) * 0.2,
        }
    Y = rng.integers(0, cls, N).astype(np.int64)
    return params, X, Y


def configs():
    for si, sh in enumerate(SHAPES):
        for seed in (0, 1):
            for loss in ('softmax_cross_entropy', 'svm'):
                for l2 in (0.0, 0.3):
                    yield si, sh, 100 * si + seed, loss, l2


def load(path):
    name = 'corpus_' + os.path.relpath(path, HERE).replace('/', '_')[:-3]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rel_err(a, b):
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return np.linalg.norm(a - b) / den if den > 1e-12 else 0.0


TOL_OK = 1e-6     # below: agrees with finite differences
TOL_BAD = 1e-4    # above: definitely wrong; in between: flagged as unclear


def call_checked(mod, params, X, Y, spec):
    p_in = {k: v.copy() for k, v in params.items()}
    X_in, Y_in = X.copy(), Y.copy()
    loss, grads = mod.loss_and_grads(params, X, Y, spec)
    problems = []
    if any(not np.array_equal(p_in[k], params[k]) for k in KEYS) or \
            not np.array_equal(X_in, X) or not np.array_equal(Y_in, Y):
        problems.append('modified its inputs')
    if set(grads) != set(KEYS):
        problems.append('grad keys %s' % sorted(grads))
    for k in KEYS:
        g = np.asarray(grads[k])
        if g.shape != params[k].shape or g.dtype != np.float64:
            problems.append('%s shape/dtype %s %s' % (k, g.shape, g.dtype))
    return float(loss), {k: np.asarray(grads[k]) for k in KEYS}, problems


def main(verbose=False):
    files = sorted(glob.glob(os.path.join(HERE, 'correct', '*.py')) +
                   glob.glob(os.path.join(HERE, 'buggy', '*.py')))
    mods = {os.path.relpath(f, HERE): load(f) for f in files}
    wrong = {f: set() for f in mods}
    unclear = {f: [] for f in mods}
    problems = {f: set() for f in mods}
    worst_ok = {f: 0.0 for f in mods}

    for si, sh, seed, loss_name, l2 in configs():
        params, X, Y = make_case(sh, seed)
        spec = Spec(loss_name, l2, input_shape=X.shape[1:], layers=None)
        ref = ref_loss(params, X, Y, spec)
        fd = fd_grads(params, X, Y, spec)
        tag = 'shape%d seed%d %s l2=%g' % (si, seed, loss_name, l2)
        for f, mod in mods.items():
            loss, grads, probs = call_checked(mod, params, X, Y, spec)
            problems[f].update(probs)
            e = abs(loss - ref) / max(1.0, abs(ref))
            bad = []
            if e > 1e-9:
                wrong[f].add('loss')
                bad.append('loss(%.1e)' % e)
            for k in KEYS:
                r = rel_err(grads[k], fd[k])
                if r > TOL_BAD:
                    wrong[f].add(k)
                    bad.append('%s(%.1e)' % (k, r))
                elif r > TOL_OK:
                    unclear[f].append((tag, k, r))
                else:
                    worst_ok[f] = max(worst_ok[f], r)
            if verbose and bad:
                print('  %-55s %-40s %s' % (f, tag, ' '.join(bad)))

    # ---- ties: integer data, correct files must agree exactly with each other
    correct = [f for f in mods if f.startswith('correct/')]
    tie_disagree = {f: set() for f in mods}
    for si, sh in enumerate(SHAPES):
        for seed in range(5):
            params, X, Y = make_case(sh, 1000 + seed, integer=True)
            for loss_name in ('softmax_cross_entropy', 'svm'):
                for l2 in (0.0, 0.3):
                    spec = Spec(loss_name, l2)
                    results = {f: call_checked(mods[f], params, X, Y, spec) for f in mods}
                    base_loss, base_g, _ = results[correct[0]]
                    for f, (loss, g, _) in results.items():
                        if not np.isclose(loss, base_loss, rtol=1e-12, atol=1e-12):
                            tie_disagree[f].add('loss')
                        for k in KEYS:
                            if not np.allclose(g[k], base_g[k], rtol=1e-10, atol=1e-12):
                                tie_disagree[f].add(k)

    with open(os.path.join(HERE, 'MANIFEST.json')) as fh:
        manifest = {e['file']: e for e in json.load(fh)}

    all_ok = True
    print('%-58s %-8s %-28s %s' % ('file', 'verdict', 'wrong vs finite diff', 'manifest'))
    for f in mods:
        w = [k for k in ('loss',) + KEYS if k in wrong[f]]
        verdict = 'fail' if w else 'pass'
        m = manifest.get(f)
        if m is None:
            status = 'MISSING FROM MANIFEST'
            all_ok = False
        else:
            mt = [] if m['bug'] is None else m['bug']['tensors']
            ok = m['verdict'] == verdict and set(mt) == set(w)
            status = 'ok' if ok else 'MISMATCH (manifest: %s %s)' % (m['verdict'], mt)
            all_ok &= ok
            for p in entry_line_problems(Path(HERE), m):
                status += '; LINES: ' + p
                all_ok = False
        print('%-58s %-8s %-28s %s' % (f, verdict, ','.join(w) or '-', status))
        if problems[f]:
            print('    contract problems:', sorted(problems[f]))
            all_ok = False
        if unclear[f]:
            print('    unclear (1e-6 < rel err < 1e-4):', unclear[f][:5])
            all_ok = False
        if f in correct:
            print('    max rel err of passing tensors: %.1e' % worst_ok[f])
            if tie_disagree[f]:
                print('    TIES: disagrees with %s on %s' % (correct[0], sorted(tie_disagree[f])))
                all_ok = False
        elif verbose and tie_disagree[f]:
            print('    (ties: differs from %s on %s)' % (correct[0], sorted(tie_disagree[f])))
    for f in manifest:
        if f not in mods:
            print('manifest lists a missing file:', f)
            all_ok = False
    print('\nALL CONSISTENT' if all_ok else '\nINCONSISTENCIES FOUND')
    return 0 if all_ok else 1


if __name__ == '__main__':
    sys.exit(main(verbose='-v' in sys.argv))
