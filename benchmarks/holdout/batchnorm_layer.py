"""Batch normalisation, train and test mode, with the backward pass worked out from the
computation graph (xhat = (x - mu) / sqrt(var + eps); out = gamma * xhat + beta).
The updated running statistics travel in the cache; bn_param is left as the caller gave it."""
import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param.get("mode", "train")
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        std = np.sqrt(var + eps)
        xhat = (x - mu) / std
        out = gamma * xhat + beta
        cache = {"xhat": xhat, "gamma": gamma, "std": std,
                 "running_mean": momentum * running_mean + (1 - momentum) * mu,
                 "running_var": momentum * running_var + (1 - momentum) * var}
    else:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * xhat + beta
        cache = {"running_mean": running_mean, "running_var": running_var}
    return out, cache


def batchnorm_backward(dout, cache):
    xhat, gamma, std = cache["xhat"], cache["gamma"], cache["std"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = dxhat / std
    return dx, dgamma, dbeta
