"""Broken: sigmoid-deriv-input. The sigmoid derivative written for the activation,
``s * (1 - s)``, is fed the pre-activation z: only the parameters below a sigmoid are wrong."""

from mlp_parts import ACT, forward, loss_value, output_delta


def sigmoid_prime(s):
    return s * (1 - s)  # expects s = sigmoid(z)


def loss_and_grads(params, X, Y, spec):
    n = X.shape[0]
    acts, zs = forward(params, X, spec)
    delta = output_delta(spec, acts[-1], zs[-1], Y)
    grads = {}
    for i in range(spec.depth, 0, -1):
        grads[f"W{i}"] = acts[i - 1].T @ delta + spec.l2 / n * params[f"W{i}"]
        grads[f"b{i}"] = delta.sum(axis=0)
        if i > 1:
            name = spec.activations[i - 2]
            if name == "sigmoid":
                local = sigmoid_prime(zs[i - 2])  # BUG: should be sigmoid_prime(acts[i - 1])
            else:
                local = ACT[name][1](zs[i - 2], acts[i - 1])
            delta = delta @ params[f"W{i}"].T * local
    return loss_value(params, acts[-1], Y, spec), grads
