"""ELU network with the forward and backward passes in one function, layers in while loops.

ELU (alpha = 1) hidden layers, a linear output, mean squared error and weight decay.
"""
import numpy as np


def elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def elu_prime(z):
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))


def loss_and_grads(params, X, Y, spec):
    depth, batch = spec.depth, X.shape[0]
    outs, pres = [X], []
    layer = 1
    while layer <= depth:
        pre = outs[-1] @ params["W%d" % layer] + params["b%d" % layer]
        pres.append(pre)
        outs.append(elu(pre) if layer < depth else pre)
        layer += 1

    diff = outs[-1] - Y
    weight_sq = sum(float(np.sum(params["W%d" % k] ** 2)) for k in range(1, depth + 1))
    loss = np.mean(diff ** 2) + spec.l2 * weight_sq / (2 * batch)

    grads = {}
    upstream = 2 * diff / diff.size
    layer = depth
    while layer >= 1:
        local = upstream if layer == depth else upstream * elu_prime(pres[layer - 1])
        grads["W%d" % layer] = outs[layer - 1].T @ local
        grads["b%d" % layer] = local.sum(axis=0)
        upstream = local @ params["W%d" % layer].T
        layer -= 1
    return loss, grads
