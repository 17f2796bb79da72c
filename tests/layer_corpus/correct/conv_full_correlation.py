"""Convolution whose backward pass is written as convolutions itself: the
input gradient is a "full" correlation of the stride-dilated, border-padded
upstream gradient with the 180-degree rotated kernel, and the weight
gradient is a correlation of the padded input with the dilated upstream
gradient.
"""
import numpy as np


def _correlate(inp, kernel):
    """Valid cross-correlation: inp (N, Cin, H, W), kernel (Cout, Cin, kh, kw)
    -> (N, Cout, H - kh + 1, W - kw + 1)."""
    N, Cin, H, W = inp.shape
    Cout, _, kh, kw = kernel.shape
    Ho, Wo = H - kh + 1, W - kw + 1
    out = np.zeros((N, Cout, Ho, Wo))
    for a in range(kh):
        for c in range(kw):
            out += np.einsum("nihw,oi->nohw", inp[:, :, a:a + Ho, c:c + Wo], kernel[:, :, a, c])
    return out


def _strided_correlate(inp, kernel, stride):
    full = _correlate(inp, kernel)
    return full[:, :, ::stride, ::stride]


def _dilate(g, stride):
    N, F, Ho, Wo = g.shape
    d = np.zeros((N, F, (Ho - 1) * stride + 1, (Wo - 1) * stride + 1))
    d[:, :, ::stride, ::stride] = g
    return d


def conv_forward(x, w, b, conv_param):
    s, p = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * p - HH) // s
    Wo = 1 + (W + 2 * p - WW) // s
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = _strided_correlate(xp, w, s)[:, :, :Ho, :Wo] + b.reshape(1, F, 1, 1)
    return out, (x, w, b, conv_param)


def conv_backward(dout, cache):
    x, w, b, conv_param = cache
    s, p = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Hp, Wp = H + 2 * p, W + 2 * p
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))

    db = dout.sum(axis=(0, 2, 3))

    d = _dilate(dout, s)                         # (N, F, Hd, Wd)
    Hd, Wd = d.shape[2], d.shape[3]

    # weight gradient: correlate each input channel with each dilated dout map
    dw = np.zeros(w.shape)
    for a in range(HH):
        for c in range(WW):
            dw[:, :, a, c] = np.einsum("nfhw,nchw->fc", d, xp[:, :, a:a + Hd, c:c + Wd])

    # input gradient: full correlation with the rotated kernel
    dpad = np.pad(d, ((0, 0), (0, 0), (HH - 1, Hp - Hd), (WW - 1, Wp - Wd)))
    w_rot = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)   # (C, F, HH, WW)
    dxp = _correlate(dpad, w_rot)                # (N, C, Hp, Wp)
    dx = dxp[:, :, p:p + H, p:p + W]
    return dx, dw, db
