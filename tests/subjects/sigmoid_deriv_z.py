"""Broken: sigmoid-deriv-input. The sigmoid derivative written for the activation,
``s * (1 - s)``, is fed the pre-activation z: only the parameters below a sigmoid are wrong."""

from mlp_parts import act_prime, forward, gradients, loss_value


def sigmoid_prime(s):
    return s * (1 - s)  # expects s = sigmoid(z)


def local(name, z, a):
    if name == "sigmoid":
        return sigmoid_prime(z)  # BUG: should be sigmoid_prime(a)
    return act_prime(name, z, a)


def loss_and_grads(params, X, Y, spec):
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec, local=local)
