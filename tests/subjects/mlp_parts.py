"""Correct building blocks (batched, ``a @ W + b``) shared by the one-bug subjects in this
folder, so each of those files shows only the backward pass it gets wrong."""

import numpy as np

ACT = {
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
}


def forward(params, X, spec):
    """(acts, zs): acts[0] = X, acts[l] = act_l(zs[l-1])."""
    acts, zs = [X], []
    for i in range(1, spec.depth + 1):
        zs.append(acts[-1] @ params[f"W{i}"] + params[f"b{i}"])
        acts.append(ACT[spec.activations[i - 1]][0](zs[-1]))
    return acts, zs


def loss_value(params, out, Y, spec):
    n = Y.shape[0]
    if spec.loss == "mse":
        data = np.mean((out - Y) ** 2)
    elif spec.loss == "softmax_cross_entropy":
        s = out - out.max(axis=1, keepdims=True)
        data = -np.sum(Y * (s - np.log(np.exp(s).sum(axis=1, keepdims=True)))) / n
    else:
        data = np.sum(np.logaddexp(0, out) - Y * out) / n
    return float(data + spec.l2 / (2 * n) * sum(np.sum(params[f"W{i}"] ** 2)
                                                for i in range(1, spec.depth + 1)))


def output_delta(spec, out, z, Y):
    """dL/dz of the last layer."""
    n = Y.shape[0]
    if spec.loss == "mse":
        return 2 * (out - Y) / Y.size * ACT[spec.activations[-1]][1](z, out)
    if spec.loss == "softmax_cross_entropy":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True) * Y.sum(axis=1, keepdims=True) - Y) / n
    return (1 / (1 + np.exp(-z)) - Y) / n


def act_prime(name, z, a):
    """Derivative of activation ``name`` at the layer's pre-activation z / output a."""
    return ACT[name][1](z, a)


def bias_grad(delta):
    return delta.sum(axis=0)


def gradients(params, X, Y, spec, *, last_delta=output_delta, local=act_prime, bias=bias_grad):
    """Gradients of the loss (with L2) for every W_l and b_l. Correct with the defaults; a
    one-bug subject passes its wrong piece (``last_delta``, ``local`` or ``bias``)."""
    n = X.shape[0]
    acts, zs = forward(params, X, spec)
    delta = last_delta(spec, acts[-1], zs[-1], Y)
    grads = {}
    for i in range(spec.depth, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"]
        grads[f"b{i}"] = bias(delta)
        if i > 1:
            delta = delta @ params[f"W{i}"].T * local(spec.activations[i - 2], zs[i - 2], acts[i - 1])
    return grads
