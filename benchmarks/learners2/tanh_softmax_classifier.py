"""A tanh MLP classifier trained on one-hot targets: forward keeps a cache dict, backward
walks the layers in reverse. The loss is the mean cross-entropy over the batch.
"""
import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(params, X, n_layers):
    cache = {"A0": X}
    A = X
    for i in range(1, n_layers + 1):
        Z = A @ params["W" + str(i)] + params["b" + str(i)]
        A = np.tanh(Z) if i < n_layers else Z
        cache["Z" + str(i)] = Z
        cache["A" + str(i)] = A
    return A, cache


def loss_and_grads(params, X, Y, spec):
    n_layers = spec.depth
    batch_size = X.shape[0]
    logits, cache = forward(params, X, n_layers)
    probs = softmax(logits)
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs = log_probs - np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    penalty = sum(np.sum(params["W" + str(i)] ** 2) for i in range(1, n_layers + 1))
    loss = -np.sum(Y * log_probs) / batch_size + spec.l2 / (2 * batch_size) * penalty

    grads = {}
    dZ = probs - Y
    for i in range(n_layers, 0, -1):
        W = params["W" + str(i)]
        grads["W" + str(i)] = cache["A" + str(i - 1)].T @ dZ + spec.l2 / batch_size * W
        grads["b" + str(i)] = np.sum(dZ, axis=0)
        if i > 1:
            dA = dZ @ W.T
            dZ = dA * (1 - cache["A" + str(i - 1)] ** 2)
    return loss, grads
