"""Neural net classifier from the assignment notebook, forward and backward in one function.

Scores come from affine - ReLU - affine; the data loss is the softmax loss averaged over the
minibatch and the regularisation loss is 0.5 * reg * sum of squared weights.
"""
import numpy as np


def compute_loss(params, X, y, spec):
    reg = spec.l2
    N = X.shape[0]
    W1, W2 = params['W1'], params['W2']

    h1 = X.dot(W1) + params['b1']
    a1 = np.maximum(h1, 0)
    f = a1.dot(W2) + params['b2']

    f = f - np.max(f, axis=1).reshape(-1, 1)
    p = np.exp(f) / np.sum(np.exp(f), axis=1).reshape(-1, 1)
    data_loss = np.mean(-np.log(p[np.arange(N), y]))
    reg_loss = 0.5 * reg * np.sum(W1 ** 2) + 0.5 * reg * np.sum(W2 ** 2)

    df = p.copy()
    df[np.arange(N), y] -= 1
    df /= N
    dW2 = a1.T.dot(df)
    db2 = df.sum(axis=0)
    da1 = df.dot(W2.T)
    dh1 = da1 * (h1 > 0)
    dW1 = X.T.dot(dh1)
    db1 = dh1.sum(axis=0)

    dW2 += 2 * reg * W2
    dW1 += 2 * reg * W1

    return data_loss + reg_loss, {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}
