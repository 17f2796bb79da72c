"""Convolution whose backward pass is expressed with convolutions: the
input gradient is a "full" correlation of the stride-dilated, border-padded
upstream gradient with the kernel, and the weight gradient a correlation of
the padded input with the dilated upstream gradient.
"""
import numpy as np


def _correlate(inp, kernel):
    N, Cin, H, W = inp.shape
    Cout, _, kh, kw = kernel.shape
    Ho, Wo = H - kh + 1, W - kw + 1
    out = np.zeros((N, Cout, Ho, Wo))
    for a in range(kh):
        for c in range(kw):
            out += np.einsum("nihw,oi->nohw", inp[:, :, a:a + Ho, c:c + Wo], kernel[:, :, a, c])
    return out


def _dilate(g, stride):
    N, F, Ho, Wo = g.shape
    d = np.zeros((N, F, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1))
    d[:, :, ::stride, ::stride] = g
    return d


def conv_forward(x, w, b, conv_param):
    s, p = conv_param["stride"], conv_param["pad"]
    F = w.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = _correlate(xp, w)[:, :, ::s, ::s] + b.reshape(1, F, 1, 1)
    return out, (x, w, b, conv_param)


def conv_backward(dout, cache):
    x, w, b, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Hp, Wp = H + 2 * p, W + 2 * p
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))

    db = dout.sum(axis=(0, 2, 3))
    d = _dilate(dout, s)
    Hd, Wd = d.shape[2], d.shape[3]

    dw = np.zeros(w.shape)
    for a in range(HH):
        for c in range(WW):
            dw[:, :, a, c] = np.einsum("nfhw,nchw->fc", d, xp[:, :, a:a + Hd, c:c + Wd])

    dpad = np.pad(d, ((0, 0), (0, 0), (HH - 1, Hp - Hd), (WW - 1, Wp - Wd)))
    dxp = _correlate(dpad, w.transpose(1, 0, 2, 3))
    dx = dxp[:, :, p:p + H, p:p + W]
    return dx, dw, db
