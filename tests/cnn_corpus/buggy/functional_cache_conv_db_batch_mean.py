"""Three-layer convnet, functional style (CS231n layer_utils-like sandwich layers).

Each *_forward returns (out, cache); each *_backward takes (dout, cache).
The conv is vectorised over the batch by looping over kernel offsets
(tensordot per offset); pooling reshapes into 2x2 blocks and uses argmax.
"""
import numpy as np


# ---------------------------------------------------------------- conv
def conv_forward(x, w, b, pad):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho = H + 2 * pad - KH + 1
    Wo = W + 2 * pad - KW + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo))
    for u in range(KH):
        for v in range(KW):
            patch = xp[:, :, u:u + Ho, v:v + Wo]                 # (N, C, Ho, Wo)
            contrib = np.tensordot(patch, w[:, :, u, v], axes=([1], [1]))  # (N, Ho, Wo, F)
            out += contrib.transpose(0, 3, 1, 2)
    out += b[None, :, None, None]
    return out, (xp, w, pad, x.shape)


def conv_backward(dout, cache):
    xp, w, pad, x_shape = cache
    N, C, H, W = x_shape
    F, _, KH, KW = w.shape
    _, _, Ho, Wo = dout.shape
    dw = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for u in range(KH):
        for v in range(KW):
            patch = xp[:, :, u:u + Ho, v:v + Wo]
            dw[:, :, u, v] = np.tensordot(dout, patch, axes=([0, 2, 3], [0, 2, 3]))
            dxp[:, :, u:u + Ho, v:v + Wo] += np.tensordot(
                dout, w[:, :, u, v], axes=([1], [0])).transpose(0, 3, 1, 2)
    db = dout.sum(axis=(2, 3)).mean(axis=0)
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db


# ---------------------------------------------------------------- relu
def relu_forward(x):
    return np.maximum(x, 0), x


def relu_backward(dout, x):
    return np.where(x > 0, dout, 0.0)


# ---------------------------------------------------------------- 2x2 max pool, stride 2
def maxpool2_forward(x):
    N, C, H, W = x.shape
    H2, W2 = H // 2, W // 2
    xc = x[:, :, :2 * H2, :2 * W2]
    blocks = xc.reshape(N, C, H2, 2, W2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H2, W2, 4)
    idx = np.argmax(blocks, axis=-1)
    out = np.take_along_axis(blocks, idx[..., None], axis=-1)[..., 0]
    return out, (idx, x.shape)


def maxpool2_backward(dout, cache):
    idx, x_shape = cache
    N, C, H, W = x_shape
    H2, W2 = H // 2, W // 2
    dblocks = np.zeros((N, C, H2, W2, 4))
    np.put_along_axis(dblocks, idx[..., None], dout[..., None], axis=-1)
    dxc = dblocks.reshape(N, C, H2, W2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, 2 * H2, 2 * W2)
    dx = np.zeros(x_shape)
    dx[:, :, :2 * H2, :2 * W2] = dxc
    return dx


# ---------------------------------------------------------------- affine
def affine_forward(x, w, b):
    x2 = x.reshape(x.shape[0], -1)
    return x2 @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    x2 = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x2.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


# ---------------------------------------------------------------- sandwiches
def conv_relu_pool_forward(x, w, b, pad):
    a, conv_cache = conv_forward(x, w, b, pad)
    r, relu_cache = relu_forward(a)
    out, pool_cache = maxpool2_forward(r)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    conv_cache, relu_cache, pool_cache = cache
    dr = maxpool2_backward(dout, pool_cache)
    da = relu_backward(dr, relu_cache)
    return conv_backward(da, conv_cache)


def affine_relu_forward(x, w, b):
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)


# ---------------------------------------------------------------- losses
def softmax_loss(scores, y):
    N = scores.shape[0]
    z = scores - scores.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(N), y].mean()
    dscores = np.exp(logp)
    dscores[np.arange(N), y] -= 1.0
    return loss, dscores / N


def svm_loss(scores, y):
    N = scores.shape[0]
    correct = scores[np.arange(N), y][:, None]
    margins = np.maximum(0.0, scores - correct + 1.0)
    margins[np.arange(N), y] = 0.0
    loss = margins.sum() / N
    pos = (margins > 0).astype(float)
    pos[np.arange(N), y] = -pos.sum(axis=1)
    return loss, pos / N


LOSSES = {'softmax_cross_entropy': softmax_loss, 'svm': svm_loss}


def loss_and_grads(params, X, Y, spec):
    N = X.shape[0]
    reg = spec.l2
    pad = (params['W1'].shape[2] - 1) // 2

    out1, cache1 = conv_relu_pool_forward(X, params['W1'], params['b1'], pad)
    out2, cache2 = affine_relu_forward(out1, params['W2'], params['b2'])
    scores, cache3 = affine_forward(out2, params['W3'], params['b3'])

    data_loss, dscores = LOSSES[spec.loss](scores, Y)
    loss = data_loss + reg / (2.0 * N) * sum(np.sum(params[k] ** 2) for k in ('W1', 'W2', 'W3'))

    grads = {}
    dout2, grads['W3'], grads['b3'] = affine_backward(dscores, cache3)
    dout1, grads['W2'], grads['b2'] = affine_relu_backward(dout2, cache2)
    _, grads['W1'], grads['b1'] = conv_relu_pool_backward(dout1, cache1)

    for k in ('W1', 'W2', 'W3'):
        grads[k] = grads[k] + reg / N * params[k]
    return loss, grads
