"""TensorFlow GradientTape on a CNN-style network: the forward rebuilt from tf's own ops
(tf.nn.conv2d with explicit padding, max_pool2d, avg_pool2d, moments and
batch_normalization, matmul, sparse softmax cross-entropy), float64. The oracle's
``evaluate`` hands CNN specs here.

TensorFlow convolves channels-last: the batch is turned to NHWC once at the input, each conv
kernel from (F, C, k, k) to (k, k, C, F), and the activation back to NCHW once before the
first affine layer, so it flattens in the contract's (C, H, W) order. Every network runs
eagerly: a CNN campaign's networks all differ in shape, and tracing one costs far more than
running it once.
"""

from __future__ import annotations

import numpy as np
from crosscheck.reference.cnn_params import check_cnn_inputs
from crosscheck.reference.cnn_spec import (
    AvgPool,
    BatchNorm,
    CNNSpec,
    Conv,
    Dropout,
    MaxPool,
    ReLU,
    dropout_mask,
)

from .base import OracleResult

__all__ = ["tf_cnn_evaluate"]


def _svm(tf, scores, y, n_classes: int):
    """Batch mean of sum_{j != y} max(0, s_j - s_y + 1)."""
    correct = tf.gather(scores, y, axis=1, batch_dims=1)[:, None]
    others = 1.0 - tf.one_hot(y, n_classes, dtype=tf.float64)
    return tf.reduce_mean(tf.reduce_sum(tf.nn.relu(scores - correct + 1.0) * others, axis=1))


def tf_cnn_evaluate(tf, params: dict, X: np.ndarray, Y: np.ndarray, spec: CNNSpec,
                    name: str = "tensorflow") -> OracleResult:
    check_cnn_inputs(params, X, Y, spec)
    names = spec.param_names()
    # copies, so TF never aliases the caller's buffers
    leaves = {n: tf.constant(np.array(params[n], dtype=np.float64)) for n in names}
    of_layer: dict[int, list] = {}
    for n, index in spec.param_layers().items():
        of_layer.setdefault(index, []).append(n)
    y = tf.constant(np.array(Y, dtype=np.int64))
    with tf.GradientTape() as tape:
        for n in names:
            tape.watch(leaves[n])
        a = tf.transpose(tf.constant(np.array(X, dtype=np.float64)), (0, 2, 3, 1))  # NHWC
        for i, layer in enumerate(spec.layers):
            p = [leaves[n] for n in of_layer.get(i, ())]
            if isinstance(layer, Conv):
                pad = [[0, 0], [layer.pad, layer.pad], [layer.pad, layer.pad], [0, 0]]
                kernel = tf.transpose(p[0], (2, 3, 1, 0))  # (F, C, k, k) -> (k, k, C, F)
                a = tf.nn.conv2d(a, kernel, strides=layer.stride, padding=pad) + p[1]
            elif isinstance(layer, ReLU):
                a = tf.nn.relu(a)
            elif isinstance(layer, MaxPool | AvgPool):
                pool = tf.nn.max_pool2d if isinstance(layer, MaxPool) else tf.nn.avg_pool2d
                a = pool(a, ksize=layer.size, strides=layer.stride, padding="VALID")
            elif isinstance(layer, BatchNorm):
                axes = [0, 1, 2] if len(a.shape) == 4 else [0]  # per channel, or per feature
                mean, var = tf.nn.moments(a, axes=axes)
                a = tf.nn.batch_normalization(a, mean, var, p[1], p[0], layer.eps)
            elif isinstance(layer, Dropout):
                shape = tuple(a.shape)
                if len(shape) == 4:  # the mask is drawn in NCHW order, as the contract says
                    mask = dropout_mask((shape[0], shape[3], shape[1], shape[2]), layer.p,
                                        layer.seed).transpose(0, 2, 3, 1)
                else:
                    mask = dropout_mask(shape, layer.p, layer.seed)
                a = a * tf.constant(mask)
            else:
                if len(a.shape) == 4:
                    a = tf.transpose(a, (0, 3, 1, 2))  # back to NCHW: flatten as (C, H, W)
                a = tf.matmul(tf.reshape(a, (a.shape[0], -1)), p[0]) + p[1]
        if spec.loss == "softmax_cross_entropy":
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                                 logits=a))
        else:
            loss = _svm(tf, a, y, spec.n_classes)
        if spec.l2 > 0:
            loss = loss + spec.l2 / (2.0 * X.shape[0]) * tf.add_n(
                [tf.reduce_sum(tf.square(leaves[w])) for w in spec.weight_names()])
    grads = tape.gradient(loss, [leaves[n] for n in names])
    if any(g is None for g in grads):  # an unwatched tensor: never compare None
        raise RuntimeError("tensorflow returned no gradient for a parameter")
    return OracleResult(oracle=name, loss=float(loss.numpy()),
                        grads={n: np.array(g.numpy(), dtype=np.float64)
                               for n, g in zip(names, grads, strict=True)})
