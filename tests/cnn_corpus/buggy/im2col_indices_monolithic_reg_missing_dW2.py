"""ThreeLayerConvNet.loss written as one big function, CS231n cnn.py style,
with the fancy-indexing im2col helpers (get_im2col_indices / np.add.at)."""
import numpy as np


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    N, C, H, W = x_shape
    out_height = (H + 2 * padding - field_height) // stride + 1
    out_width = (W + 2 * padding - field_width) // stride + 1

    i0 = np.repeat(np.arange(field_height), field_width)
    i0 = np.tile(i0, C)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(field_width), field_height * C)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode='constant')
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    cols = x_padded[:, k, i, j]
    C = x.shape[1]
    cols = cols.transpose(1, 2, 0).reshape(field_height * field_width * C, -1)
    return cols


def col2im_indices(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    N, C, H, W = x_shape
    H_padded, W_padded = H + 2 * padding, W + 2 * padding
    x_padded = np.zeros((N, C, H_padded, W_padded), dtype=cols.dtype)
    k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    cols_reshaped = cols.reshape(C * field_height * field_width, -1, N)
    cols_reshaped = cols_reshaped.transpose(2, 0, 1)
    np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped)
    if padding == 0:
        return x_padded
    return x_padded[:, :, padding:-padding, padding:-padding]


def loss_and_grads(params, X, Y, spec):
    W1, b1 = params['W1'], params['b1']
    W2, b2 = params['W2'], params['b2']
    W3, b3 = params['W3'], params['b3']
    reg = spec.l2
    N, C, H, W = X.shape
    num_filters, _, filter_height, filter_width = W1.shape
    pad = (filter_height - 1) // 2

    # ---------------- conv forward
    out_h = (H + 2 * pad - filter_height) + 1
    out_w = (W + 2 * pad - filter_width) + 1
    X_cols = im2col_indices(X, filter_height, filter_width, padding=pad, stride=1)
    conv = W1.reshape(num_filters, -1).dot(X_cols) + b1.reshape(-1, 1)
    conv = conv.reshape(num_filters, out_h, out_w, N).transpose(3, 0, 1, 2)

    # ---------------- relu
    relu1 = np.maximum(0, conv)

    # ---------------- max pool 2x2 stride 2
    pool_h, pool_w, pool_s = 2, 2, 2
    ph_out = (out_h - pool_h) // pool_s + 1
    pw_out = (out_w - pool_w) // pool_s + 1
    relu1_split = relu1.reshape(N * num_filters, 1, out_h, out_w)
    pool_cols = im2col_indices(relu1_split, pool_h, pool_w, padding=0, stride=pool_s)
    pool_argmax = np.argmax(pool_cols, axis=0)
    pool_max = pool_cols[pool_argmax, np.arange(pool_cols.shape[1])]
    pool = pool_max.reshape(ph_out, pw_out, N, num_filters).transpose(2, 3, 0, 1)

    # ---------------- affine - relu
    pool_flat = pool.reshape(N, -1)
    hidden_pre = pool_flat.dot(W2) + b2
    hidden = np.maximum(0, hidden_pre)

    # ---------------- affine
    scores = hidden.dot(W3) + b3

    # ---------------- data loss
    if spec.loss == 'softmax_cross_entropy':
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        Z = np.sum(np.exp(shifted), axis=1, keepdims=True)
        log_probs = shifted - np.log(Z)
        probs = np.exp(log_probs)
        data_loss = -np.sum(log_probs[np.arange(N), Y]) / N
        dscores = probs.copy()
        dscores[np.arange(N), Y] -= 1
        dscores /= N
    elif spec.loss == 'svm':
        correct_scores = scores[np.arange(N), Y]
        margins = np.maximum(0, scores - correct_scores[:, np.newaxis] + 1.0)
        margins[np.arange(N), Y] = 0
        data_loss = np.sum(margins) / N
        num_pos = np.sum(margins > 0, axis=1)
        dscores = np.zeros_like(scores)
        dscores[margins > 0] = 1
        dscores[np.arange(N), Y] -= num_pos
        dscores /= N
    else:
        raise ValueError('Unrecognized loss "%s"' % spec.loss)

    reg_loss = 0.5 * (reg / N) * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
    loss = data_loss + reg_loss

    grads = {}
    # ---------------- backward: affine 2
    grads['W3'] = hidden.T.dot(dscores) + (reg / N) * W3
    grads['b3'] = np.sum(dscores, axis=0)
    dhidden = dscores.dot(W3.T)

    # ---------------- relu 2 + affine 1
    dhidden_pre = dhidden * (hidden_pre > 0)
    grads['W2'] = pool_flat.T.dot(dhidden_pre)
    grads['b2'] = np.sum(dhidden_pre, axis=0)
    dpool = dhidden_pre.dot(W2.T).reshape(pool.shape)

    # ---------------- max pool backward
    dpool_flat = dpool.transpose(2, 3, 0, 1).flatten()
    dpool_cols = np.zeros_like(pool_cols)
    dpool_cols[pool_argmax, np.arange(pool_cols.shape[1])] = dpool_flat
    drelu1 = col2im_indices(dpool_cols, (N * num_filters, 1, out_h, out_w),
                            pool_h, pool_w, padding=0, stride=pool_s)
    drelu1 = drelu1.reshape(relu1.shape)

    # ---------------- relu 1
    dconv = drelu1 * (conv > 0)

    # ---------------- conv backward
    grads['b1'] = np.sum(dconv, axis=(0, 2, 3))
    dconv_reshaped = dconv.transpose(1, 2, 3, 0).reshape(num_filters, -1)
    grads['W1'] = dconv_reshaped.dot(X_cols.T).reshape(W1.shape) + (reg / N) * W1
    # (dX is not needed: X is data, not a parameter)

    return loss, grads
