"""One timestep of a vanilla tanh RNN written as named graph stages
(two projections, a sum, a tanh) with ``np.einsum`` contractions, walking
the stages backwards in the backward pass.
"""
import numpy as np


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    a_x = np.einsum("nd,dh->nh", x, Wx)
    a_h = np.einsum("nk,kh->nh", prev_h, Wh)
    z = a_x + a_h + b[np.newaxis, :]
    next_h = np.tanh(z)
    cache = {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "z": z}
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    z = cache["z"]
    dz = dnext_h / np.cosh(z) ** 2
    # z = a_x + a_h + b
    da_x, da_h, db = dz, dz, dz.sum(axis=0)
    # a_h = prev_h @ Wh
    dprev_h = np.einsum("nh,kh->nk", da_h, cache["Wh"])
    dWh = np.einsum("nk,nh->kh", cache["prev_h"], da_h)
    # a_x = x @ Wx
    dx = np.einsum("nh,dh->nd", da_x, cache["Wx"])
    dWx = np.einsum("nd,nh->dh", cache["x"], da_x)
    return dx, dprev_h, dWx, dWh, db
