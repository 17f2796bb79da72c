"""Two-layer softmax classifier in float32 (scores, caches and gradients all single
precision) with integer labels and the assignment's 0.5 * reg * sum(W * W) regulariser."""
import numpy as np


def relu(z):
    return np.maximum(z, np.float32(0.0))


def relu_grad(z):
    g = z.copy()
    g[z > 0] = 1.0
    return g


def loss_and_grads(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    reg = np.float32(spec.l2)
    N = X.shape[0]

    z1 = X @ W1 + b1
    h1 = relu(z1)
    scores = h1 @ W2 + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    loss += np.float32(0.5) * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {
        "W2": h1.T @ dscores + reg * W2,
        "b2": dscores.sum(axis=0),
    }
    dz1 = (dscores @ W2.T) * relu_grad(z1)
    grads["W1"] = X.T @ dz1 + reg * W1
    grads["b1"] = dz1.sum(axis=0)
    return np.float32(loss), {k: v.astype(np.float32) for k, v in grads.items()}
