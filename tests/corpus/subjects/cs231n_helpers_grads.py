"""CS231n-style helpers (affine/activation forward and backward with caches), any depth."""
import numpy as np


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def act_forward(x, kind):
    if kind == "relu":
        out = np.maximum(0, x)
    elif kind == "sigmoid":
        out = 1 / (1 + np.exp(-x))
    elif kind == "tanh":
        out = np.tanh(x)
    else:
        out = x
    return out, (x, out, kind)


def act_backward(dout, cache):
    x, out, kind = cache
    if kind == "relu":
        return dout * (x > 0)
    if kind == "sigmoid":
        return dout * out * (1 - out)
    if kind == "tanh":
        return dout * (1 - out ** 2)
    return dout


def final_loss(x, y, kind):
    N = x.shape[0]
    if kind == "softmax_cross_entropy":
        shifted = x - x.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -(y * log_probs).sum() / N, (np.exp(log_probs) - y) / N
    if kind == "sigmoid_bce":
        return (np.logaddexp(0, x) - y * x).sum() / N, (1 / (1 + np.exp(-x)) - y) / N
    return ((x - y) ** 2).mean(), 2 * (x - y) / x.size


def clip_gradients(grads, max_norm=1.0):
    total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if total_norm > max_norm:
        for k in grads:
            grads[k] = grads[k] * (max_norm / total_norm)
    return grads


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    N = X.shape[0]
    reg = spec.l2 / N
    out, caches = X, []
    for i in range(1, L + 1):
        out, c1 = affine_forward(out, params[f"W{i}"], params[f"b{i}"])
        out, c2 = act_forward(out, spec.activations[i - 1])
        caches.append((c1, c2))
    loss, dout = final_loss(out, Y, spec.loss)
    loss += 0.5 * reg * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))

    grads = {}
    for i in range(L, 0, -1):
        c1, c2 = caches[i - 1]
        dout = act_backward(dout, c2)
        dout, dw, db = affine_backward(dout, c1)
        grads[f"W{i}"] = dw + reg * params[f"W{i}"]
        grads[f"b{i}"] = db
    grads = clip_gradients(grads)
    return loss, grads
