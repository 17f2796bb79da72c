"""A small convnet loss function: conv 3x3 (4 filters, stride 1, pad 1) - ReLU - 2x2 max pool
(stride 2) - affine to the class scores - softmax, on 3x8x8 images with integer labels, plus
L2 on both weight tensors (l2 / (2N) sum W^2). Written with plain loops for the conv."""
import numpy as np


def conv3x3(x, w, b):
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((N, w.shape[0], H, W))
    for i in range(H):
        for j in range(W):
            out[:, :, i, j] = np.tensordot(xp[:, :, i:i + 3, j:j + 3], w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b[None, :, None, None], xp


def conv_net_loss(params, X, y, spec):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N, reg = X.shape[0], spec.l2

    conv, xp = conv3x3(X, W1, b1)
    relu = np.maximum(conv, 0)
    n, F, H, W = relu.shape
    blocks = relu.reshape(n, F, H // 2, 2, W // 2, 2)
    pooled = blocks.max(axis=(3, 5))
    flat = pooled.reshape(N, -1)
    scores = flat @ W2 + b2

    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    loss += reg / (2 * N) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))

    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW2 = flat.T @ dscores + reg / N * W2
    db2 = dscores.sum(axis=0)
    dflat = dscores @ W2.T

    dpooled = dflat.reshape(N, H // 2, W // 2, F).transpose(0, 3, 1, 2)
    is_max = blocks == pooled[:, :, :, None, :, None]
    drelu = (is_max * dpooled[:, :, :, None, :, None]).reshape(relu.shape)
    dconv = drelu * (conv > 0)

    dW1 = np.zeros_like(W1)
    for i in range(H):
        for j in range(W):
            dW1 += np.tensordot(dconv[:, :, i, j], xp[:, :, i:i + 3, j:j + 3], axes=([0], [0]))
    dW1 += reg / N * W1
    db1 = dconv.sum(axis=(0, 2, 3))
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
