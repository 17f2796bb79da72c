"""Lists of weights and biases zipped layer by layer; forward keeps (input, pre-activation, output) triples."""
import numpy as np


def relu_prime(z):
    g = z.copy()
    g[z > 0] = 1.0
    return g


def nonlinearity(kind):
    if kind == "sigmoid":
        f = lambda z: 1 / (1 + np.exp(-z))
        return f, lambda z, a: a * (1 - a)
    if kind == "tanh":
        return np.tanh, lambda z, a: 1 - a ** 2
    if kind == "relu":
        return (lambda z: np.maximum(z, 0)), (lambda z, a: relu_prime(z))
    return (lambda z: z), (lambda z, a: np.ones_like(z))


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    Ws = [params["W%d" % i] for i in range(1, L + 1)]
    bs = [params["b%d" % i] for i in range(1, L + 1)]
    n = X.shape[0]

    trace = []
    a = X
    for W, b, kind in zip(Ws, bs, spec.activations):
        f, _ = nonlinearity(kind)
        z = a @ W + b
        a_next = f(z)
        trace.append((a, z, a_next))
        a = a_next

    if spec.loss == "mse":
        loss = np.mean((a - Y) ** 2)
        g = 2 * (a - Y) / a.size
    elif spec.loss == "softmax_cross_entropy":
        s = a - a.max(axis=1, keepdims=True)
        lp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        loss = -np.sum(Y * lp) / n
        g = (np.exp(lp) - Y) / n
    else:
        loss = np.sum(np.logaddexp(0, a) - Y * a) / n
        g = (1 / (1 + np.exp(-a)) - Y) / n
    loss += spec.l2 / (2 * n) * sum(np.sum(W ** 2) for W in Ws)

    dWs, dbs = [None] * L, [None] * L
    for i in reversed(range(L)):
        a_in, z, a_out = trace[i]
        _, fp = nonlinearity(spec.activations[i])
        g = g * fp(z, a_out)
        dWs[i] = n * np.outer(a_in.mean(axis=0), g.mean(axis=0)) + spec.l2 / n * Ws[i]
        dbs[i] = g.sum(axis=0)
        g = g @ Ws[i].T

    grads = {}
    for i in range(L):
        grads["W%d" % (i + 1)] = dWs[i]
        grads["b%d" % (i + 1)] = dbs[i]
    return float(loss), grads
