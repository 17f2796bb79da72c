"""The TensorFlow oracle traces one function per network shape, never one per network, and
only once a shape has been called often enough for the trace to pay (TRACE_AFTER)."""

from __future__ import annotations

import numpy as np
from crosscheck.oracles import get_oracle
from crosscheck.oracles.tf_oracle import TRACE_AFTER
from crosscheck.reference import NetworkSpec, init_params, loss_and_grads
from crosscheck.reference.sampling import random_batch

from crosscheck.engine.compare import compare_tensor
from crosscheck.engine.tolerances import TOLERANCES


def _network(seed, batch, l2, sizes=(5, 7, 3)):
    spec = NetworkSpec(sizes=sizes, activations=("tanh", "identity"),
                       loss="softmax_cross_entropy", l2=l2)
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng)
    X, Y = random_batch(spec, batch, rng)
    return params, X, Y, spec


def _agrees(oracle, params, X, Y, spec):
    loss, grads = loss_and_grads(params, X, Y, spec)
    r = oracle.evaluate(params, X, Y, spec)
    for name, g in grads.items():
        d = compare_tensor(name, r.grads[name], g, "tensorflow", "reference",
                           TOLERANCES["autodiff"], loss)
        assert d.ok, d.message()


def test_same_shape_other_values_batch_and_l2_do_not_retrace():
    tf = get_oracle("tensorflow")
    for seed in range(TRACE_AFTER):  # the first sightings: eager, no trace
        _agrees(tf, *_network(100 + seed, batch=4, l2=0.0))
    assert tf.traces == 0
    _agrees(tf, *_network(1, batch=9, l2=0.5))  # the next: traced once
    assert tf.traces == 1
    for seed, batch, l2 in [(2, 1, 1.7), (3, 16, 0.0), (4, 9, 0.01)]:
        _agrees(tf, *_network(seed, batch=batch, l2=l2))  # new values, batch, l2: same trace
    assert tf.traces == 1
    concrete = tf._traced[((5, 7, 3), ("tanh", "identity"), "softmax_cross_entropy", False)]
    assert concrete.experimental_get_tracing_count() == 1  # tf itself did not retrace


def test_a_new_shape_gets_its_own_trace():
    tf = get_oracle("tensorflow")
    for seed in range(TRACE_AFTER + 2):
        _agrees(tf, *_network(seed, batch=3, l2=0.1))
        _agrees(tf, *_network(seed, batch=3, l2=0.1, sizes=(5, 8, 3)))
    assert tf.traces == 2


def test_a_network_re_run_a_few_times_is_never_traced():
    """The diagnosis and the shrinker re-run one network a handful of times: each call of a
    trace would cost 15 or more eager calls (benchmarks/tf_trace.py), so none is traced."""
    assert TRACE_AFTER >= 10
    tf = get_oracle("tensorflow")
    for _ in range(5):
        _agrees(tf, *_network(0, batch=4, l2=0.1))
    assert tf.traces == 0
