"""Backprop one example at a time: forward a single row, backward, add into running sums.

Hidden layers are sigmoid; the output layer gives logits for a sigmoid + binary
cross-entropy cost (multi-label targets).
"""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    m = X.shape[0]
    Ws = [params["W" + str(l)] for l in range(1, L + 1)]
    bs = [params["b" + str(l)] for l in range(1, L + 1)]
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bs]
    total = 0.0

    for i in range(m):
        x, y = X[i], Y[i]
        acts = [x]
        for l in range(L):
            z = acts[-1] @ Ws[l] + bs[l]
            acts.append(z if l == L - 1 else sigmoid(z))
        logits = acts[-1]
        # -y log s - (1 - y) log(1 - s) == log(1 + e^z) - y z, without overflow
        total += np.sum(np.logaddexp(0.0, logits) - y * logits)

        delta = sigmoid(logits) - y
        for l in range(L - 1, -1, -1):
            gW[l] = np.outer(acts[l], delta)
            gb[l] += delta
            if l > 0:
                delta = (Ws[l] @ delta) * acts[l] * (1.0 - acts[l])

    loss = total / m
    grads = {}
    for l in range(L):
        loss += spec.l2 / (2 * m) * np.sum(Ws[l] ** 2)
        grads["W" + str(l + 1)] = gW[l] / m + spec.l2 / m * Ws[l]
        grads["b" + str(l + 1)] = gb[l] / m
    return loss, grads
