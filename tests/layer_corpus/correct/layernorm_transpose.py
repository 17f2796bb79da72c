"""Layer normalisation via the transpose trick suggested in CS231n: the
input is transposed so that the per-example statistics become per-column
statistics, the batchnorm-style staged computation runs on the transposed
array, and gamma/beta are applied after transposing back.
"""
import numpy as np


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    xt = x.T                      # (D, N)
    D = xt.shape[0]
    mu = np.sum(xt, axis=0) / D
    xmu = xt - mu
    var = np.sum(xmu ** 2, axis=0) / D
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat_t = xmu * ivar
    xhat = xhat_t.T               # (N, D)
    out = gamma * xhat + beta
    cache = (xhat, xmu, ivar, sqrtvar, gamma)
    return out, cache


def layernorm_backward(dout, cache):
    xhat, xmu, ivar, sqrtvar, gamma = cache
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = (dout * gamma).T      # (D, N)
    D = dxhat.shape[0]
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / sqrtvar ** 2
    dvar = 0.5 * ivar * dsqrtvar
    dxmu2 = 2.0 * xmu * dvar / D
    dmu = -np.sum(dxmu1 + dxmu2, axis=0)
    dxt = dxmu1 + dxmu2 + dmu / D
    dx = dxt.T
    return dx, dgamma, dbeta
