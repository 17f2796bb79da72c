"""A float32 MLP classifier (the dtype a GPU port would use): leaky-ReLU hidden layers with
slope 0.01, softmax cross-entropy on one-hot targets. Every constant is cast to float32 so
that nothing is promoted to float64.
"""
import numpy as np

SLOPE = np.float32(0.01)


def leaky_relu(z):
    return np.where(z > 0, z, SLOPE * z)


def leaky_relu_grad(z):
    return np.where(z > 0, np.float32(1.0), SLOPE)


def loss_and_grads(params, X, Y, spec):
    L = spec.depth
    n = np.float32(X.shape[0])
    lam = np.float32(spec.l2)
    zs, acts = [], [X]
    for l in range(1, L + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        zs.append(z)
        acts.append(leaky_relu(z) if l < L else z)
    logits = acts[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    sq = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    loss = -np.sum(Y * log_p) / n + lam / (np.float32(2) * n) * sq

    grads = {}
    g = (np.exp(log_p) - Y) / n
    for l in range(L, 0, -1):
        W = params[f"W{l}"]
        grads[f"W{l}"] = acts[l - 1].T @ g + (lam / n) * W
        grads[f"b{l}"] = g.sum(axis=0)
        if l > 1:
            g = (g @ W.T) * leaky_relu_grad(zs[l - 2])
    return loss, grads
