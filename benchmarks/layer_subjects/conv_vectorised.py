"""A vectorised convolutional layer (the "fast" layer of CS231n's assignment 2, written with
im2col): every receptive field gathered into one matrix by fancy indexing, the forward one
matrix product, the backward two products and a scatter-add back onto the padded input."""

import numpy as np


def _columns(x_shape, HH, WW, stride, pad):
    """Index arrays (k, i, j) gathering each receptive field of the padded input as a column."""
    N, C, H, W = x_shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    i0 = np.tile(np.repeat(np.arange(HH), WW), C)
    i1 = stride * np.repeat(np.arange(H_out), W_out)
    j0 = np.tile(np.arange(WW), HH * C)
    j1 = stride * np.tile(np.arange(W_out), H_out)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), HH * WW).reshape(-1, 1)
    return k, i, j, H_out, W_out


def conv_forward_fast(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N = x.shape[0]
    F, C, HH, WW = w.shape
    k, i, j, H_out, W_out = _columns(x.shape, HH, WW, stride, pad)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    cols = x_pad[:, k, i, j]  # (N, C*HH*WW, H_out*W_out)
    out = np.einsum("fk,nkp->nfp", w.reshape(F, -1), cols) + b.reshape(1, F, 1)
    cache = (x, w, b, conv_param, cols)
    return out.reshape(N, F, H_out, W_out), cache


def conv_backward_fast(dout, cache):
    x, w, b, conv_param, cols = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    k, i, j, _, _ = _columns(x.shape, HH, WW, stride, pad)
    d = dout.reshape(N, F, -1)
    db = d.sum(axis=(0, 2))
    dw = np.einsum("nfp,nkp->fk", d, cols).reshape(w.shape)
    dcols = np.einsum("fk,nfp->nkp", w.reshape(F, -1), d)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    np.add.at(dx_pad, (slice(None), k, i, j), dcols)
    return dx_pad[:, :, pad:pad + H, pad:pad + W], dw, db
