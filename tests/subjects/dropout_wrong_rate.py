"""Broken dropouts whose mask keeps with the wrong probability (found by a hostile probe):
nothing dropped, everything dropped, and u >= p kept instead of u < p."""

import numpy as np


def keep_all_fwd(x, dp):
    if dp.get("mode", "train") == "test":
        return x.copy(), None
    return x / dp["p"], 1.0 / dp["p"]


def keep_all_bwd(dout, cache):
    return dout.copy() if cache is None else dout * cache


def drop_all_fwd(x, dp):
    if dp.get("mode", "train") == "test":
        return x.copy(), None
    return np.zeros_like(x), 0.0


def drop_all_bwd(dout, cache):
    return dout.copy() if cache is None else dout * cache


def inverted_cmp_fwd(x, dp):  # keeps a 1 - p fraction but scales by 1/p
    if dp.get("mode", "train") == "test":
        return x.copy(), None
    rng = np.random.default_rng(dp.get("seed"))
    mask = (rng.random(x.shape) >= dp["p"]) / dp["p"]
    return x * mask, mask


def inverted_cmp_bwd(dout, mask):
    return dout.copy() if mask is None else dout * mask
