"""TensorFlow's own ops for the CS231n layer kinds: forward, then GradientTape with ``dout``.

``tf_layer(kind, arrays, extra, dout) -> (out, grads)``, as ``torch_layers.torch_layer``: a
second framework, written from TensorFlow's ops (NHWC convolutions and pooling, moments,
sparse softmax cross-entropy), independent of both torch and the reference. TensorFlow is
imported on the first call, quietly.

Each op below is ``op(tf, arrays, extra) -> out`` and is named after its kind; the kind's
record (:mod:`oracles.layer_kinds`) holds it, and :func:`tf_layer` finds it there.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["tf_layer"]


def _p(e: dict) -> dict:
    return e.get("param", e)


def _nhwc(tf, x):
    return tf.transpose(x, (0, 2, 3, 1))


def _nchw(tf, x):
    return tf.transpose(x, (0, 3, 1, 2))


def conv(tf, a, e):
    p = _p(e)
    pad = p["pad"]
    x = tf.pad(_nhwc(tf, a["x"]), [[0, 0], [pad, pad], [pad, pad], [0, 0]])
    w = tf.transpose(a["w"], (2, 3, 1, 0))  # (F, C, HH, WW) -> (HH, WW, C, F)
    out = tf.nn.conv2d(x, w, strides=p["stride"], padding="VALID") + a["b"]
    return _nchw(tf, out)


def _pool(op):
    def f(tf, a, e):
        p = _p(e)
        out = op(tf)(_nhwc(tf, a["x"]), ksize=(p["pool_height"], p["pool_width"]),
                     strides=p["stride"], padding="VALID")
        return _nchw(tf, out)
    return f


def batchnorm(tf, a, e):
    p = _p(e)
    eps = p.get("eps", 1e-5)
    if p.get("mode") == "test":
        mean = tf.constant(p["running_mean"], tf.float64)
        var = tf.constant(p["running_var"], tf.float64)
    else:
        mean, var = tf.nn.moments(a["x"], axes=[0])
    return tf.nn.batch_normalization(a["x"], mean, var, a["beta"], a["gamma"], eps)


def layernorm(tf, a, e):
    mean, var = tf.nn.moments(a["x"], axes=[1], keepdims=True)
    return tf.nn.batch_normalization(a["x"], mean, var, a["beta"], a["gamma"],
                                     _p(e).get("eps", 1e-5))


def softmax_loss(tf, a, e):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant(e["y"]), logits=a["x"]))


def svm_loss(tf, a, e):
    x = a["x"]
    y = tf.constant(e["y"])
    correct = tf.gather(x, y, axis=1, batch_dims=1)[:, None]
    others = 1.0 - tf.one_hot(y, x.shape[1], dtype=tf.float64)
    return tf.reduce_sum(tf.nn.relu(x - correct + 1.0) * others) / x.shape[0]


def dropout(tf, a, e):
    if _p(e).get("mode") == "test":
        return a["x"] * 1.0
    return a["x"] * tf.constant(e["mask"])


max_pool = _pool(lambda tf: tf.nn.max_pool2d)
avg_pool = _pool(lambda tf: tf.nn.avg_pool2d)


def affine(tf, a, e):
    return tf.reshape(a["x"], (a["x"].shape[0], -1)) @ a["w"] + a["b"]


def relu(tf, a, e):
    return tf.nn.relu(a["x"])


def leaky_relu(tf, a, e):
    # tf.nn.leaky_relu keeps alpha in float32 (1e-8 off in float64): written with tf.where
    return tf.where(a["x"] > 0, a["x"], e["alpha"] * a["x"])


def sigmoid(tf, a, e):
    return tf.sigmoid(a["x"])


def tanh(tf, a, e):
    return tf.tanh(a["x"])


def rnn_step(tf, a, e):
    return tf.tanh(a["x"] @ a["Wx"] + a["prev_h"] @ a["Wh"] + a["b"])


def word_embedding(tf, a, e):
    return tf.gather(a["W"], tf.constant(e["x"]))


def tf_layer(kind: str, arrays: dict, extra: dict, dout) -> tuple[np.ndarray, dict]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import tensorflow as tf  # lazy and quiet: set before the first import

    from .layer_kinds import KINDS  # the records hold this module's ops

    names = list(arrays)
    variables = [tf.Variable(np.asarray(arrays[k], dtype=np.float64)) for k in names]
    with tf.GradientTape() as tape:
        out = KINDS[kind].tf(tf, dict(zip(names, variables, strict=True)), extra)
        target = out if dout is None else tf.reduce_sum(out * tf.constant(dout, tf.float64))
    grads = tape.gradient(target, variables)
    return out.numpy().copy(), {
        k: (np.zeros(arrays[k].shape) if g is None else tf.convert_to_tensor(g).numpy().copy())
        for k, g in zip(names, grads, strict=True)}
