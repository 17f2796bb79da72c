"""Softmax classifier with hidden ReLU layers and integer class labels, reg * 0.5 * sum W^2
as in the assignment; gradient checked by hand on one example before generalising."""
import numpy as np


def mlp_loss(params, X, y, spec):
    reg = spec.l2
    num = X.shape[0]
    L = spec.depth
    layer_in, pre = [X], []
    for k in range(1, L + 1):
        s = layer_in[-1].dot(params["W" + str(k)]) + params["b" + str(k)]
        pre.append(s)
        layer_in.append(np.maximum(s, 0))
    scores = pre[-1]

    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(num), y].sum() / num
    loss += reg * 0.5 * sum(np.sum(params["W" + str(k)] ** 2) for k in range(1, L + 1))

    dscores = np.exp(log_probs)
    dscores[np.arange(num), y] -= 1
    grads = {}
    dout = dscores
    for k in range(L, 0, -1):
        grads["W" + str(k)] = layer_in[k - 1].T.dot(dout) + reg * params["W" + str(k)]
        grads["b" + str(k)] = np.sum(dout, axis=0, keepdims=True)
        if k > 1:
            dout = dout.dot(params["W" + str(k)].T) * (pre[k - 2] > 0)
    return loss, grads
