"""Layer normalisation adapted from a batchnorm implementation: the same
mean / variance / normalise steps with the simplified backward formula.
"""
import numpy as np


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, std)
    return out, cache


def layernorm_backward(dout, cache):
    x_hat, gamma, std = cache
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx = (1.0 / (N * std)) * (N * dx_hat - np.sum(dx_hat, axis=0)
                              - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, dgamma, dbeta
