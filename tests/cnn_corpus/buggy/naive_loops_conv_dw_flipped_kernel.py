"""ThreeLayerConvNet, CS231n assignment 2 style, with the *_naive layers.

conv - relu - 2x2 max pool - affine - relu - affine - softmax/svm
"""
import numpy as np


def affine_forward(x, w, b):
    N = x.shape[0]
    out = x.reshape(N, -1).dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(N, -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    out = np.maximum(0, x)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return dx


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    hs = i * stride
                    ws = j * stride
                    window = x_pad[n, :, hs:hs + HH, ws:ws + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            db[f] += np.sum(dout[n, f])
            for i in range(H_out):
                for j in range(W_out):
                    hs = i * stride
                    ws = j * stride
                    window = x_pad[n, :, hs:hs + HH, ws:ws + WW]
                    dw[f] += dout[n, f, i, j] * window[:, ::-1, ::-1]
                    dx_pad[n, :, hs:hs + HH, ws:ws + WW] += dout[n, f, i, j] * w[f]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    ph, pw = pool_param['pool_height'], pool_param['pool_width']
    stride = pool_param['stride']
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs = i * stride
                    ws = j * stride
                    out[n, c, i, j] = np.max(x[n, c, hs:hs + ph, ws:ws + pw])
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw = pool_param['pool_height'], pool_param['pool_width']
    stride = pool_param['stride']
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs = i * stride
                    ws = j * stride
                    window = x[n, c, hs:hs + ph, ws:ws + pw]
                    idx = np.argmax(window)
                    r, s = np.unravel_index(idx, window.shape)
                    dx[n, c, hs + r, ws + s] += dout[n, c, i, j]
    return dx


def softmax_loss(x, y):
    N = x.shape[0]
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    probs = np.exp(log_probs)
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


def svm_loss(x, y):
    N, num_classes = x.shape
    loss = 0.0
    dx = np.zeros_like(x)
    for i in range(N):
        correct = x[i, y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = x[i, j] - correct + 1.0
            if margin > 0:
                loss += margin
                dx[i, j] += 1.0
                dx[i, y[i]] -= 1.0
    loss /= N
    dx /= N
    return loss, dx


def loss_and_grads(params, X, Y, spec):
    W1, b1 = params['W1'], params['b1']
    W2, b2 = params['W2'], params['b2']
    W3, b3 = params['W3'], params['b3']
    reg = spec.l2
    N = X.shape[0]

    filter_size = W1.shape[2]
    conv_param = {'stride': 1, 'pad': (filter_size - 1) // 2}
    pool_param = {'pool_height': 2, 'pool_width': 2, 'stride': 2}

    # forward
    a1, conv_cache = conv_forward_naive(X, W1, b1, conv_param)
    r1, relu1_cache = relu_forward(a1)
    p1, pool_cache = max_pool_forward_naive(r1, pool_param)
    a2, fc1_cache = affine_forward(p1, W2, b2)
    h2, relu2_cache = relu_forward(a2)
    scores, fc2_cache = affine_forward(h2, W3, b3)

    if spec.loss == 'softmax_cross_entropy':
        data_loss, dscores = softmax_loss(scores, Y)
    elif spec.loss == 'svm':
        data_loss, dscores = svm_loss(scores, Y)
    else:
        raise ValueError('unknown loss %r' % spec.loss)

    reg_loss = reg / (2 * N) * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    loss = data_loss + reg_loss

    # backward
    grads = {}
    dh2, dW3, db3 = affine_backward(dscores, fc2_cache)
    da2 = relu_backward(dh2, relu2_cache)
    dp1, dW2, db2 = affine_backward(da2, fc1_cache)
    dr1 = max_pool_backward_naive(dp1, pool_cache)
    da1 = relu_backward(dr1, relu1_cache)
    _, dW1, db1 = conv_backward_naive(da1, conv_cache)

    grads['W1'] = dW1 + reg / N * W1
    grads['b1'] = db1
    grads['W2'] = dW2 + reg / N * W2
    grads['b2'] = db2
    grads['W3'] = dW3 + reg / N * W3
    grads['b3'] = db3
    return loss, grads
