"""TensorFlow GradientTape oracle: the forward rebuilt from tf's own ops and losses, float64
(each record's ``tf_op``, reference/ops.py).

Tracing a ``tf.function`` costs about as much as 15 to 50 eager calls of the same shape
(``benchmarks/tf_trace.py``: trace and first run 143 ms, eager 9.6 ms, traced 1.3 ms per
call). So a shape runs eagerly for its first ``TRACE_AFTER`` calls and gets one traced
function on the next (batch size and l2 are inputs of the trace, so they never retrace it):
the diagnosis and the shrinker, which re-run one network a few times, never pay for a trace,
and a shape seen many times (``--sizes``) pays at most about twice what tracing it at once
would have (rent or buy). CNN-style networks are handed to :mod:`tf_cnn`.
"""

from __future__ import annotations

import logging
import os

import numpy as np
from crosscheck.reference.cnn_spec import is_cnn
from crosscheck.reference.ops import ACTIVATION_OPS, LOSS_OPS
from crosscheck.reference.params import check_inputs

from .base import OracleResult

__all__ = ["TRACE_AFTER", "TensorFlowOracle"]

# eager calls of a shape before it is traced: the fewest calls after which a trace paid for
# itself in benchmarks/tf_trace.py (15 to 47 across the shapes of a default run; median 18)
TRACE_AFTER = 15


class TensorFlowOracle:
    name = "tensorflow"
    kind = "autodiff"

    def __init__(self) -> None:
        # Must be set before the first import, or TF logs oneDNN and CPU-feature banners.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
        import tensorflow as tf

        # One tf.function per network shape is the design (see the module docstring), so TF's
        # "triggered tf.function retracing" warning would fire on every campaign: silence it.
        tf.get_logger().setLevel(logging.ERROR)
        self._tf = tf
        self._seen: dict[tuple, int] = {}
        self._traced: dict[tuple, object] = {}
        self.traces = 0  # how many tf.functions were traced: visible to tests and benchmarks

    def _loss_and_grads_fn(self, spec):
        tf = self._tf
        acts = [ACTIVATION_OPS[name].tf_op for name in spec.activations]
        loss_op = LOSS_OPS[spec.loss].tf_op
        depth = spec.depth

        def fn(weights, biases, x, y, l2, scale, divisor):
            # scale and divisor: the spec's conventions for this batch (NetworkSpec.loss_scale,
            # l2_divisor), inputs of the trace like l2; biases is empty for a network without
            with tf.GradientTape() as tape:
                tape.watch(weights)
                tape.watch(biases)
                a = x
                for layer in range(depth):
                    z = tf.matmul(a, weights[layer])
                    a = acts[layer](tf, z + biases[layer] if biases else z)
                loss = scale * loss_op(tf, a, y)  # integer y: class indices (the loss's sparse op)
                loss = loss + l2 / (2.0 * divisor) * tf.add_n(
                    [tf.reduce_sum(tf.square(w)) for w in weights])
            dw, db = tape.gradient(loss, [weights, biases])
            return loss, dw, db

        return fn

    def _function_for(self, spec, labels: bool = False):
        key = (spec.sizes, spec.activations, spec.loss, labels, *(() if spec.bias else ("no-bias",)))
        if key in self._traced:
            return self._traced[key]
        self._seen[key] = self._seen.get(key, 0) + 1
        fn = self._loss_and_grads_fn(spec)
        if self._seen[key] <= TRACE_AFTER:
            return fn
        tf = self._tf
        f64 = tf.float64
        signature = [
            [tf.TensorSpec(spec.param_shapes()[f"W{i}"], f64) for i in range(1, spec.depth + 1)],
            [tf.TensorSpec(spec.param_shapes()[f"b{i}"], f64) for i in range(1, spec.depth + 1)
             if spec.bias],
            tf.TensorSpec((None, spec.sizes[0]), f64),
            (tf.TensorSpec((None,), tf.int64) if labels
             else tf.TensorSpec((None, spec.sizes[-1]), f64)),
            tf.TensorSpec((), f64), tf.TensorSpec((), f64), tf.TensorSpec((), f64),
        ]
        traced = tf.function(fn, input_signature=signature, reduce_retracing=True)
        self._traced[key] = traced
        self.traces += 1
        return traced

    def evaluate(self, params, X, Y, spec) -> OracleResult:
        if is_cnn(spec):  # eagerly: see tf_cnn
            from .tf_cnn import tf_cnn_evaluate

            return tf_cnn_evaluate(self._tf, params, X, Y, spec, self.name)
        check_inputs(params, X, Y, spec)
        tf = self._tf

        def const(arr):  # a copy, so TF never aliases the caller's buffer
            return tf.constant(np.array(arr, dtype=np.float64), dtype=tf.float64)

        weights = [const(params[f"W{i}"]) for i in range(1, spec.depth + 1)]
        biases = [const(params[f"b{i}"]) for i in range(1, spec.depth + 1) if spec.bias]
        labels = Y.ndim == 1  # integer class indices (softmax cross-entropy), checked above
        y = tf.constant(np.array(Y, dtype=np.int64), dtype=tf.int64) if labels else const(Y)
        batch = X.shape[0]
        scalars = [tf.constant(v, dtype=tf.float64)
                   for v in (spec.l2, spec.loss_scale(batch), spec.l2_divisor(batch))]
        loss, dw, db = self._function_for(spec, labels)(weights, biases, const(X), y, *scalars)
        if any(g is None for g in (*dw, *db)):  # an unwatched tensor: never compare None
            raise RuntimeError("tensorflow returned no gradient for a parameter")
        grads = {}
        for i in range(1, spec.depth + 1):
            grads[f"W{i}"] = np.array(dw[i - 1].numpy(), dtype=np.float64)
            if spec.bias:
                grads[f"b{i}"] = np.array(db[i - 1].numpy(), dtype=np.float64)
        return OracleResult(oracle=self.name, loss=float(loss.numpy()),
                            grads={n: grads[n] for n in spec.param_names()})

    def loss_and_grads(self, params, X, Y, spec):
        r = self.evaluate(params, X, Y, spec)
        return r.loss, r.grads
