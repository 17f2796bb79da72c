"""Learner-style backprops written in the conventions of issue 19, correct and broken.

Each reads only ``spec.sizes``/``spec.activations``/``spec.l2`` (never ``spec.reduction`` or
the others): it hard-codes its convention, as real code does. Networks: tanh hidden layers,
identity output, mse (mean over the outputs of each example)."""

import numpy as np


def _forward(params, X, depth, bias=True):
    a, cache = X, []
    for i in range(1, depth + 1):
        z = a @ params[f"W{i}"] + (params[f"b{i}"] if bias else 0.0)
        out = np.tanh(z) if i < depth else z
        cache.append((a, out))
        a = out
    return a, cache


def _backward(params, cache, dout, depth, bias=True, db_mean=False):
    grads = {}
    for i in range(depth, 0, -1):
        a_prev, out = cache[i - 1]
        dz = dout if i == depth else dout * (1.0 - out ** 2)
        grads[f"W{i}"] = a_prev.T @ dz
        if bias:
            grads[f"b{i}"] = dz.mean(axis=0) if db_mean else dz.sum(axis=0)
        dout = dz @ params[f"W{i}"].T
    return grads


def summed_mse(params, X, Y, spec, db_mean=False):
    """Loss summed over the batch: sum_n mean_k (out - Y)^2 + l2/2 sum W^2."""
    depth = len(spec.sizes) - 1
    out, cache = _forward(params, X, depth)
    n_out = Y.shape[1]
    loss = np.sum((out - Y) ** 2) / n_out
    loss += spec.l2 / 2 * sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, depth + 1))
    grads = _backward(params, cache, 2 * (out - Y) / n_out, depth, db_mean=db_mean)
    for i in range(1, depth + 1):
        grads[f"W{i}"] += spec.l2 * params[f"W{i}"]
    return float(loss), grads


def summed_mse_db_mean(params, X, Y, spec):
    """The same, with db averaged over the batch: every bias 1/batch x the right one."""
    return summed_mse(params, X, Y, spec, db_mean=True)


def plain_l2_mse(params, X, Y, spec, reg_over_batch=False):
    """Mean loss with CS231n's 0.5 * reg * sum(W * W)."""
    depth = len(spec.sizes) - 1
    out, cache = _forward(params, X, depth)
    loss = np.mean((out - Y) ** 2)
    reg = spec.l2
    loss += 0.5 * reg * sum(np.sum(params[f"W{i}"] * params[f"W{i}"]) for i in range(1, depth + 1))
    grads = _backward(params, cache, 2 * (out - Y) / out.size, depth)
    for i in range(1, depth + 1):
        # the bug: the penalty's gradient divided by the batch although its loss term is not
        grads[f"W{i}"] += reg * params[f"W{i}"] / (X.shape[0] if reg_over_batch else 1)
    return float(loss), grads


def plain_l2_mse_over_batch(params, X, Y, spec):
    return plain_l2_mse(params, X, Y, spec, reg_over_batch=True)


def no_bias_mse(params, X, Y, spec, wrong_deriv=False):
    """A network without biases: params hold W1..WL only, mean loss, the contract's penalty."""
    depth = len(spec.sizes) - 1
    out, cache = _forward(params, X, depth, bias=False)
    batch = X.shape[0]
    loss = np.mean((out - Y) ** 2)
    loss += spec.l2 / (2 * batch) * sum(np.sum(params[f"W{i}"] ** 2) for i in range(1, depth + 1))
    if wrong_deriv:  # the bug: tanh'(z) taken as 1 - z^2 on the output of the first layer
        cache[0] = (cache[0][0], np.arctanh(np.clip(cache[0][1], -0.999999, 0.999999)))
    grads = _backward(params, cache, 2 * (out - Y) / out.size, depth, bias=False)
    for i in range(1, depth + 1):
        grads[f"W{i}"] += spec.l2 / batch * params[f"W{i}"]
    return float(loss), grads


def no_bias_mse_tanh_deriv_input(params, X, Y, spec):
    return no_bias_mse(params, X, Y, spec, wrong_deriv=True)
