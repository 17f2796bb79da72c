"""The catalogue: one record per documented bug, each with the real code it comes from."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from crosscheck.diagnosis import fd_variants as F
from crosscheck.diagnosis import variants as V
from crosscheck.diagnosis.record import Case, Pitfall, trace, with_params
from crosscheck.reference.losses import as_rows
from crosscheck.reference.ops import ACTIVATION_OPS
from crosscheck.reference.spec import LOGIT_LOSSES, NetworkSpec

__all__ = ["CATALOGUE", "get_pitfall"]

AD = ("torch", "tensorflow")
ALL = ("torch", "tensorflow", "fd")
CROSS = ("torch", "tensorflow")  # for fd-* ids: the autodiff oracles outvote the broken fd


# ---- observability rules: "" when observable, else why not --------------------------------

def _batch_gt_1(case: Case) -> str:
    return "" if case.batch > 1 else "batch is 1: a sum and a mean over one row are equal"


def _biased(rule=None):
    """``rule``, on a network that has biases (a spec with ``bias=False`` has none to get wrong)."""
    def biased(case: Case) -> str:
        if not case.spec.bias:
            return "the network has no biases (bias=False)"
        return rule(case) if rule is not None else ""
    return biased


def _has(act: str):
    def rule(case: Case) -> str:
        return "" if act in case.spec.activations else f"the network has no {act} layer"
    return rule


def _relu_where(cond, what: str):
    """Observable where some ReLU pre-activation satisfies cond(z) and gets gradient da != 0."""
    def rule(case: Case) -> str:
        t = trace(case)
        for layer, act in enumerate(case.spec.activations):
            if act == "relu" and np.any(cond(t.z[layer]) & (t.da[layer] != 0)):
                return ""
        return f"no ReLU pre-activation {what} receives a gradient"
    return rule


def _mse_not_2(case: Case) -> str:
    """Relative to the squared-error loss declared: mse misses 2/n, half_sse misses 1/batch."""
    if case.spec.loss == "half_sse":
        return "" if case.batch != 1 else ("batch is 1: half_sse's factor 1/batch is 1, so "
                                           "the missing factor is 1")
    if case.spec.loss != "mse":
        return f"the loss is {case.spec.loss}, not mse or half_sse"
    return "" if case.Y.size != 2 else "n = batch x n_out = 2, so 2/n = 1 and the missing factor is 1"


def _wide_layer(case: Case) -> str:
    return "" if max(case.spec.sizes[1:]) > 1 else "every layer has one unit: a scalar sum is the sum"


def _not_1x1(case: Case) -> str:
    shapes = case.spec.param_shapes()
    return "" if any(shapes[f"W{m}"] != (1, 1) for m in range(1, case.spec.depth + 1)) \
        else "every weight is 1x1: a transpose changes nothing"


def _deep(case: Case) -> str:
    return "" if case.spec.depth >= 2 else "depth 1: the only layer's input is the network input"


def _nonlinear(case: Case) -> str:
    return "" if any(a != "identity" for a in case.spec.activations) \
        else "every activation is identity: its local derivative is 1"


def _logits_overflow(case: Case) -> str:
    if case.spec.loss != "softmax_cross_entropy":
        return f"the loss is {case.spec.loss}, not softmax_cross_entropy"
    z = trace(case).z[-1]
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)  # the naive softmax itself
        bad = ~np.isfinite(p) | ((p == 0) & (as_rows(case.Y, z.shape[-1]) != 0))
    if np.any(bad) or np.any(~np.isfinite(np.log(np.where(p > 0, p, 1.0)))):
        return ""
    return ("the logits are moderate: exp(z) neither overflows nor underflows, and no "
            "probability rounds to 0")


def _logit_loss(case: Case) -> str:
    if case.spec.loss in LOGIT_LOSSES:
        return ""
    return f"{case.spec.loss} takes real targets: there are no labels"


def _l2(case: Case) -> str:
    return "" if case.spec.l2 > 0 else "l2 = 0: there is no penalty to misapply"


def _relu_output_mse(case: Case) -> str:
    spec = case.spec
    if spec.loss != "mse" or spec.activations[-1] != "relu":
        return "the output layer is not a ReLU under mse, so no shared buffer is written in place"
    z = trace(case).z[-1]
    if np.any((z <= 0) & (as_rows(case.Y, z.shape[-1]) != 0)):
        return ""
    return "no output unit is inactive where Y != 0"


def _relu_zero(case: Case) -> str:
    """0/0 spreads whatever the upstream gradient (NaN * 0 is NaN)."""
    zs = trace(case).z
    if any(a == "relu" and np.any(z == 0) for a, z in zip(case.spec.activations, zs, strict=True)):
        return ""
    return "no ReLU pre-activation is exactly 0, so a / z is never 0/0"


def _kink_within_step(case: Case) -> str:
    """Observable where a pre-activation within the step h of a kink of its layer's activation
    (its record's ``kinks``: ReLU's 0) gets a gradient."""
    t = trace(case)
    for layer, act in enumerate(case.spec.activations):
        if np.any(ACTIVATION_OPS[act].near_kink(t.z[layer], F.STEP) & (t.da[layer] != 0)):
            return ""
    return "no pre-activation within the step h of a kink receives a gradient"


def _log_loss(case: Case) -> str:
    return "" if case.spec.loss in LOGIT_LOSSES else "mse has no log to put an epsilon into"


def _soft_targets(case: Case) -> str:
    if case.spec.loss != "softmax_cross_entropy":
        return f"the loss is {case.spec.loss}, not softmax_cross_entropy"
    Y = as_rows(case.Y, case.spec.sizes[-1])  # class labels are hard targets
    hard = np.eye(Y.shape[-1])[np.argmax(Y, axis=-1)]
    return "" if not np.array_equal(hard, Y) else "the targets are one-hot already"


def _bce_saturates(case: Case) -> str:
    if case.spec.loss != "sigmoid_bce":
        return f"the loss is {case.spec.loss}, not sigmoid_bce"
    z = trace(case).z[-1]
    s = 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
    return "" if np.any((s == 1.0) | (s == 0.0)) else \
        "no logit saturates the sigmoid to exactly 0 or 1 (|z| below ~37)"


def _mse_n_out_not_2(case: Case) -> str:
    if case.spec.loss != "mse":
        return f"the loss is {case.spec.loss}, not mse"
    return "" if case.spec.sizes[-1] != 2 else "n_out = 2, so n_out / 2 = 1: the two costs agree"


def _soften(case: Case, rng: np.random.Generator) -> Case:
    return replace(case, Y=rng.dirichlet(np.ones(case.spec.sizes[-1]), size=case.batch))


# ---- networks on which a data-dependent bug shows -------------------------------------------

def _relu_ties(case: Case, rng: np.random.Generator) -> Case:
    """Make the first layer a ReLU with zero bias and some zero input rows: those rows have
    pre-activation exactly 0 (a tie), as after zero padding or a dead feature."""
    spec = case.spec
    acts = ("relu", *spec.activations[1:])
    if spec.depth == 1 and spec.loss in LOGIT_LOSSES:
        spec = NetworkSpec(sizes=(spec.sizes[0], 4, spec.sizes[-1]),
                           activations=("relu", "identity"), loss=spec.loss, l2=spec.l2)
        from crosscheck.diagnosis.record import fresh_case
        case = fresh_case(case, spec, rng)
    else:
        spec = replace(spec, activations=acts)
        case = replace(case, spec=spec)
    X = case.X.copy()
    rows = rng.choice(case.batch, size=max(1, case.batch // 2), replace=False)
    X[rows] = 0.0
    return with_params(replace(case, X=X), b1=np.zeros_like(case.params["b1"]))


def _huge_logits(case: Case, rng: np.random.Generator) -> Case:
    L = case.spec.depth
    return with_params(case, **{f"W{L}": case.params[f"W{L}"] * 1e3,
                                f"b{L}": case.params[f"b{L}"] * 1e3})


def _fd_small(**extra) -> dict:
    return {"max_width": 5, "max_depth": 3, "max_batch": 6, **extra}


# ---- the records ----------------------------------------------------------------------------

_RECORDS = [
    Pitfall(
        id="fd-alias-no-copy", target="fd", fd_oracle=F.AliasNoCopy,
        title="finite differences perturb an alias, not a copy",
        buggy_line="thetaplus = theta; thetaplus[i] += eps; ...; thetaminus = theta; thetaminus[i] -= eps",
        fixed_line="thetaplus = np.copy(theta); thetaplus[i] += eps; thetaminus = np.copy(theta); ...",
        symptom="thetaplus and thetaminus are one array, so the minus step only undoes the plus "
                "step: J- is J(theta) and every numerical gradient is about 0.5 x the true one "
                "(a forward difference divided by 2 eps); relative error norm 1/3.",
        caught_by=CROSS, demo_options=_fd_small()),
    Pitfall(
        id="fd-eps-mismatch", target="fd", fd_oracle=F.EpsMismatch,
        title="perturb by one eps, divide by another",
        buggy_line="x[i] = t + eps; ...; grad[i] = (fp - fm) / (2 * EPSILON)   # eps=1e-7, EPSILON=1e-4",
        fixed_line="grad[i] = (fp - fm) / (2 * eps)",
        symptom="every numerical gradient is eps/EPSILON = 1e-3 x the true one; the ratio moves "
                "when eps moves (a correct difference is eps-invariant to O(eps^2)).",
        caught_by=CROSS, demo_options=_fd_small()),
    Pitfall(
        id="fd-float32", target="fd", fd_oracle=F.Float32,
        title="finite differences in float32",
        buggy_line="theta = theta.astype(np.float32); h = 1e-5",
        fixed_line="theta = theta.astype(np.float64)   # differences need double precision",
        symptom="the loss carries 7 digits, so (fp - fm) / 2h is quantised to multiples of "
                "ulp(L) / 2h: a few distinct values, some exactly 0, relative errors 1e-3 to 1.",
        caught_by=CROSS, demo_options=_fd_small()),
    Pitfall(
        id="fd-int-dtype", target="fd", fd_oracle=F.IntDtype,
        title="finite differences on an integer array",
        buggy_line="x = np.array([1, 2]); ...; x[i] = tmp + h   # int array: the write truncates",
        fixed_line="x = np.asarray(x, dtype=np.float64)",
        symptom="writes of tmp +/- h truncate to integers: most differences are exactly 0 and "
                "the rest are (J(x) - J(x - 1)) / 2h, huge (grad of sum x^2 at [1, 2] comes out "
                "as [5000, 15000]).",
        caught_by=CROSS, demo_options=_fd_small(scale=2.0)),
    Pitfall(
        id="fd-output-alias", target="fd", fd_oracle=F.OutputAlias,
        title="the function returns a reused output buffer",
        buggy_line="fp = f(x_plus); fm = f(x_minus)   # f returns self.out, the same array",
        fixed_line="fp = f(x_plus).copy(); fm = f(x_minus).copy()",
        symptom="fp and fm are the same array by the time they are subtracted: every numerical "
                "gradient is exactly 0, relative error 1.0 everywhere.",
        caught_by=CROSS, demo_options=_fd_small()),
    Pitfall(
        id="fd-kink", target="fd", fd_oracle=F.NoKinkMask, rule=_kink_within_step,
        title="a finite difference across a ReLU kink",
        buggy_line="grad[i] = (J(t + h) - J(t - h)) / (2 * h)   # whatever lies between",
        fixed_line="flag coordinates whose +/-h sides put a ReLU input on different sides of 0",
        symptom="where a ReLU input is within h of 0 the difference measures the chord, 0.5 at "
                "z = 0 instead of the derivative 0 or 1; isolated entries are off by O(1) while "
                "the rest agree. Our fd oracle flags these coordinates as kinks; a naive one "
                "does not, and alone against the subject it would blame the subject.",
        caught_by=CROSS, demo_options=_fd_small(), prepare=_relu_ties),
    Pitfall(
        id="fd-step-size", target="fd", fd_oracle=F.StepTooSmall,
        title="a finite-difference step far from the optimum",
        buggy_line="h = 1e-12",
        fixed_line="h = 2**-17   # about (3 eps |L| / |L'''|)^(1/3): rounding and truncation balance",
        symptom="rounding error eps |L| / h (about 2e-4 |L| at h = 1e-12) swamps the derivative: "
                "noisy, quantised values. Too large a step (1e-2) instead adds truncation error "
                "h^2 |L'''| / 6 on curved losses.",
        caught_by=CROSS, demo_options=_fd_small()),
    Pitfall(
        id="metric-nan-passes", target="subject", loss_and_grads=V.metric_nan_passes,
        rule=_relu_zero,
        title="a NaN gradient that a naive check lets pass",
        buggy_line="relu'(z) = a / z ... and the check: if rel_error > tol: fail",
        fixed_line="relu'(z) = (z > 0); and the check fails on NaN: not (err <= tol)",
        symptom="0/0 at a dead unit gives NaN, which spreads through the layers below; "
                "`nan > tol` is False, so a check written as `if err > tol: fail` silently "
                "passes. Our comparison treats NaN or Inf anywhere as a failure.",
        caught_by=ALL, demo_options={"hidden_activations": ("relu",)}, prepare=_relu_ties),
    Pitfall(
        id="sign-flip", target="subject", loss_and_grads=V.sign_flip,
        title="the error term has the wrong sign",
        buggy_line="delta = Y - out",
        fixed_line="delta = out - Y",
        symptom="every data gradient is exactly -1 x the oracle's: relative error 1.0 "
                "everywhere, cosine -1; gradient descent with it climbs the loss.",
        caught_by=ALL),
    Pitfall(
        id="batch-scale", target="subject", loss_and_grads=V.batch_scale, rule=_batch_gt_1,
        title="the loss is averaged but its gradient summed",
        buggy_line="dout = 2 * (out - Y) / n_out        # (or p - Y): no 1/batch",
        fixed_line="dout = 2 * (out - Y) / (batch * n_out)   # (or (p - Y) / batch)",
        symptom="every data gradient is batch x the oracle's (a uniform ratio that changes with "
                "the batch size); invisible at batch 1.",
        caught_by=ALL),
    Pitfall(
        id="bias-mean-vs-sum", target="subject", loss_and_grads=V.bias_mean_vs_sum,
        rule=_biased(_batch_gt_1),
        title="the bias gradient averages over the batch while dW sums",
        buggy_line="db = dz.mean(axis=0)",
        fixed_line="db = dz.sum(axis=0)   # the 1/batch is already inside dz",
        symptom="only the biases are wrong, each exactly 1/batch x the oracle's (0.125 at batch "
                "8); weights agree; invisible at batch 1.",
        caught_by=ALL),
    Pitfall(
        id="bias-reduce-axis", target="subject", loss_and_grads=V.bias_reduce_axis,
        rule=_biased(_wide_layer),
        title="the bias gradient is reduced over every axis",
        buggy_line="db = np.sum(dz)            # one scalar, broadcast to every unit",
        fixed_line="db = np.sum(dz, axis=0)",
        symptom="only the biases are wrong: every unit of a layer gets the same value, the sum "
                "of that layer's true bias gradient (about 0 at a softmax output, where each "
                "row of p - Y sums to 0).",
        caught_by=ALL),
    Pitfall(
        id="mse-missing-2-over-n", target="subject", loss_and_grads=V.mse_missing_2_over_n,
        rule=_mse_not_2,
        title="mse gradient without its 2/n",
        buggy_line="dout = out - Y",
        fixed_line="dout = 2 * (out - Y) / out.size   # L = mean((out - Y)^2)",
        symptom="every data gradient is n/2 x the oracle's, n = batch x n_out (12 at 8 x 3); "
                "exactly invisible when n = 2. Under half_sse (L = sum((out - Y)^2) / "
                "(2 batch), fixed line dout = (out - Y) / batch) the same line is batch x the "
                "oracle's, invisible at batch 1. With the 1/n kept and only the 2 missing "
                "(dout = (out - Y) / out.size) every data gradient is 1/2 x the oracle's.",
        caught_by=ALL, demo_options={"losses": ("mse",)}),
    Pitfall(
        id="mean-before-outer", target="subject", loss_and_grads=V.mean_before_outer,
        rule=_batch_gt_1,
        title="averaging inputs and deltas before the outer product",
        buggy_line="dW = batch * np.outer(a.mean(axis=0), dz.mean(axis=0))",
        fixed_line="dW = a.T @ dz   # sum of per-example outer products",
        symptom="weights wrong (every dW has rank 1), biases exact; invisible at batch 1 or "
                "with identical rows.",
        caught_by=ALL),
    Pitfall(
        id="update-order", target="update", loss_and_grads=V.VARIANTS["update-order"],
        sgd_step=V.update_order_step, rule=_deep,
        title="a weight is updated before it is used to pass the gradient down",
        buggy_line="W2 -= lr * dW2; delta1 = (delta2 @ W2.T) * act'(z1)",
        fixed_line="delta1 = (delta2 @ W2.T) * act'(z1); then W2 -= lr * dW2",
        symptom="the top layer's step is right; every layer below is off by an amount "
                "proportional to lr (zero at lr = 0, so a gradient-only check passes). Seen "
                "only in update mode: check one SGD step at two learning rates.",
        caught_by=ALL,
        note="checked in update mode: the gradient is inferred as (before - after) / lr, "
             f"lr = {V.DEFAULT_LR}"),
    Pitfall(
        id="hidden-uses-input", target="subject", loss_and_grads=V.hidden_uses_input, rule=_deep,
        title="a hidden layer's weight gradient uses the network input",
        buggy_line="dW2 = X.T @ dz2",
        fixed_line="dW2 = a1.T @ dz2   # the input of *this* layer",
        symptom="a shape error when n_in differs from the hidden width; otherwise W2 (and "
                "higher weights) are O(1) wrong while W1 and every bias agree.",
        caught_by=ALL),
    Pitfall(
        id="sigmoid-deriv-input", target="subject", loss_and_grads=V.sigmoid_deriv_input,
        rule=_has("sigmoid"),
        title="sigmoid derivative fed the wrong input (z for a, or a for z)",
        buggy_line="dz = da * z * (1 - z)            # z is the pre-activation",
        fixed_line="dz = da * a * (1 - a)            # a = sigmoid(z), the layer's output",
        symptom="the parameters of the sigmoid layer and every layer below it are wrong; the "
                "layers above it are exact. sigma'(z) = a (1 - a) is a formula in the *output* "
                "a; fed z it gives z (1 - z), which is even negative for z > 1. The mirror "
                "form: a helper sigmoid_prime(z) = s(z) (1 - s(z)) handed the activation a "
                "gives sigma'(sigma(z)). Either may sit in the hidden layers only, where the "
                "output delta is written apart.",
        caught_by=ALL, demo_options={"hidden_activations": ("sigmoid",)}),
    Pitfall(
        id="tanh-deriv-input", target="subject", loss_and_grads=V.tanh_deriv_input,
        rule=_has("tanh"),
        title="tanh derivative fed the wrong input (z for a, or a for z)",
        buggy_line="dz = da * (1 - z ** 2)",
        fixed_line="dz = da * (1 - a ** 2)   # a = tanh(z)",
        symptom="the tanh layer and every layer below it are wrong, the layers above exact; "
                "the error grows with |z| (1 - z^2 turns negative for |z| > 1). The mirror "
                "form: 1 - np.tanh(x) ** 2 handed the activation a gives 1 - tanh(tanh(z))^2. "
                "Either may sit in the hidden layers only, where the output delta is written "
                "apart.",
        caught_by=ALL, demo_options={"hidden_activations": ("tanh",)}),
    Pitfall(
        id="relu-deriv-on-z", target="subject", loss_and_grads=V.relu_deriv_on_z,
        rule=_relu_where(lambda z: z < 0, "is negative and"),
        title="ReLU derivative that keeps negative z",
        buggy_line="d = z.copy(); d[d > 0] = 1",
        fixed_line="d = (z > 0).astype(float)",
        symptom="inactive units (z < 0) get derivative z instead of 0, so the error grows with "
                "|z|; the ReLU layer and the layers below are wrong; passes when every z > 0.",
        caught_by=ALL, demo_options={"hidden_activations": ("relu",)}),
    Pitfall(
        id="relu-tie-convention", target="subject", loss_and_grads=V.relu_tie_convention,
        rule=_relu_where(lambda z: z == 0, "is exactly 0 and"),
        title="ReLU derivative 1 at exactly z = 0",
        buggy_line="dz = np.where(z >= 0, da, 0)",
        fixed_line="dz = np.where(z > 0, da, 0)   # 0 at the tie, as torch and tensorflow",
        symptom="a mismatch only at units whose pre-activation is exactly 0 (zero input rows "
                "with zero bias, zero init); finite differences give the chord 0.5 there and "
                "are excluded as a kink.",
        caught_by=AD, demo_options={"hidden_activations": ("relu",)}, prepare=_relu_ties),
    Pitfall(
        id="inplace-dout", target="subject", loss_and_grads=V.inplace_dout,
        rule=_relu_output_mse,
        title="ReLU backward writes into the upstream gradient",
        buggy_line="dout[self.mask] = 0; return dout",
        fixed_line="return np.where(self.mask, 0.0, dout)   # a new array",
        symptom="harmless in a plain chain, wrong wherever the buffer is shared: here the loss "
                "layer hands its residual to the backward and reads the loss from it "
                "afterwards, so the loss disagrees while every gradient agrees. With a caller's "
                "buffer it shows as a mutated input.",
        caught_by=ALL, demo_options={"losses": ("mse",)},
        prepare=lambda case, rng: replace(case, spec=replace(
            case.spec, activations=(*case.spec.activations[:-1], "relu")))),
    Pitfall(
        id="loss-raw-labels", target="subject", loss_and_grads=V.loss_raw_labels,
        rule=_logit_loss,
        title="the cost uses raw labels 1..K instead of one-hot rows",
        buggy_line="J = -sum(y * log(h) + (1 - y) * log(1 - h))   # y holds labels 1..K",
        fixed_line="Y = np.eye(K)[y - 1]   # recode, then use Y",
        symptom="loss and every gradient differ from an independent forward (the loss can go "
                "negative); a finite-difference check of the subject's *own* cost agrees with "
                "its gradient, so only an oracle with its own loss catches it.",
        caught_by=ALL, demo_options={"losses": LOGIT_LOSSES}),
    Pitfall(
        id="reg-on-bias", target="subject", loss_and_grads=V.reg_on_bias, rule=_biased(_l2),
        title="the L2 penalty includes the biases",
        buggy_line="penalty = l2 / (2 * m) * sum(theta ** 2)   # bias column included",
        fixed_line="penalty = l2 / (2 * m) * sum(W ** 2 for W in weights)   # biases excluded",
        symptom="only the biases are wrong, each off by exactly l2 / batch x b; invisible at "
                "l2 = 0.",
        caught_by=ALL, demo_options={"l2": 0.5}),
    Pitfall(
        id="transposed-weight", target="subject", loss_and_grads=V.transposed_weight,
        rule=_not_1x1,
        title="the weight gradient in the wrong orientation",
        buggy_line="dW = dz.T @ a",
        fixed_line="dW = a.T @ dz   # same shape as W: (n_in, n_out)",
        symptom="a shape error on non-square layers, unless a .reshape(W.shape) hides it: "
                "then the values are the oracle's transposed and reshaped (g == "
                "n.T.reshape(n.shape)); on square ones the oracle's transposed (g == n.T).",
        caught_by=ALL),
    Pitfall(
        id="softmax-unstable", target="subject", loss_and_grads=V.softmax_unstable,
        rule=_logits_overflow,
        title="softmax without subtracting the row max",
        buggy_line="p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)",
        fixed_line="s = z - z.max(axis=1, keepdims=True); p = np.exp(s) / np.exp(s).sum(...)",
        symptom="exact for moderate logits; NaN or Inf once a logit passes ~709 (exp overflows) "
                "or falls below ~-745 (exp underflows to 0 and log gives -inf).",
        caught_by=ALL, demo_options={"losses": ("softmax_cross_entropy",)}, prepare=_huge_logits),
    Pitfall(
        id="upstream-ignored", target="subject", loss_and_grads=V.upstream_ignored,
        rule=_nonlinear,
        title="an activation's backward ignores the upstream gradient",
        buggy_line="def backward(self, dout): return self.local_derivative",
        fixed_line="def backward(self, dout): return dout * self.local_derivative",
        symptom="the layer's dz is its local derivative alone, whatever the loss: that layer "
                "and those below are O(1) wrong, and their gradients do not change when Y does.",
        caught_by=ALL, demo_options={"hidden_activations": ("sigmoid", "tanh", "relu")}),
    Pitfall(
        id="loss-log-epsilon", target="subject", loss_and_grads=V.loss_log_epsilon,
        rule=_log_loss,
        title="an epsilon inside the log of the loss",
        buggy_line="loss = -np.sum(Y * np.log(p + 1e-7)) / batch",
        fixed_line="loss = -np.sum(Y * log_softmax(z)) / batch   # stable, no epsilon needed",
        symptom="only the loss differs, by about eps per confident probability (1e-8 relative "
                "on typical networks, more when a true class has p near 0); every gradient, "
                "written analytically as p - Y, agrees.",
        caught_by=AD, demo_options={"losses": ("softmax_cross_entropy", "sigmoid_bce")}),
    Pitfall(
        id="soft-targets-argmax", target="subject", loss_and_grads=V.soft_targets_argmax,
        rule=_soft_targets,
        title="soft targets reduced to hard labels by argmax",
        buggy_line="y = np.argmax(Y, axis=1); loss = -np.log(p[range(batch), y]).mean()",
        fixed_line="loss = -(Y * log_softmax(z)).sum(axis=1).mean()   # use Y as given",
        symptom="exact on one-hot targets; with soft targets (label smoothing, distillation) the "
                "loss and every gradient are those of the argmax labels.",
        caught_by=ALL, demo_options={"losses": ("softmax_cross_entropy",)}, prepare=_soften),
    Pitfall(
        id="param-never-updated", target="subject", loss_and_grads=V.param_never_updated,
        title="a parameter that is never updated",
        buggy_line="self.W -= lr * self.dW   # and no line for self.b",
        fixed_line="self.W -= lr * self.dW; self.b -= lr * self.db",
        symptom="the tensor's gradient (its step) is exactly zero while the oracles' is not; "
                "the loss still goes down, through the other parameters.",
        caught_by=ALL),
    Pitfall(
        id="loss-overflow", target="subject", loss_and_grads=V.loss_overflow, rule=_bce_saturates,
        title="a naive sigmoid cross-entropy that overflows",
        buggy_line="s = 1 / (1 + np.exp(-z)); loss = -(Y * np.log(s) + (1 - Y) * np.log(1 - s))",
        fixed_line="loss = np.logaddexp(0, z) - Y * z   # softplus(z) - Y z, finite for any z",
        symptom="fine for moderate logits; once |z| passes ~37 the sigmoid rounds to exactly 1 "
                "(or 0) and log(1 - s) is -inf: the loss is Inf or NaN while the gradient "
                "s - Y stays finite.",
        caught_by=ALL, demo_options={"losses": ("sigmoid_bce",)}, prepare=_huge_logits),
    Pitfall(
        id="bias-row-broadcast", target="subject", loss_and_grads=V.bias_row_broadcast,
        rule=_biased(),
        title="a bias gradient that becomes a (1, n) row",
        buggy_line="db = np.sum(dz, axis=0, keepdims=True)   # then b -= lr * db makes b (1, n)",
        fixed_line="db = np.sum(dz, axis=0)",
        symptom="the bias gradient (or the updated bias) has shape (1, n) instead of (n,): numpy "
                "broadcasting hides it in the forward pass, the shapes no longer match the "
                "parameters.",
        caught_by=ALL),
    Pitfall(
        id="stray-constant-factor", target="subject", loss_and_grads=V.stray_constant_factor,
        title="a stray constant factor on one gradient",
        buggy_line="dW1 = 2 * (a0.T @ dz1)",
        fixed_line="dW1 = a0.T @ dz1",
        symptom="one tensor is exactly a constant (2, 4, 1/2, ...) times the oracle's, every "
                "other tensor agrees: the planted bugs of gradient-checking exercises.",
        caught_by=ALL),
    Pitfall(
        id="half-sse-vs-mse", target="subject", loss_and_grads=V.half_sse_vs_mse,
        rule=_mse_n_out_not_2,
        title="the half-sum-of-squares cost where the mean squared error is declared",
        buggy_line="loss = np.sum((out - Y) ** 2) / (2 * batch); dout = (out - Y) / batch",
        fixed_line="loss = np.mean((out - Y) ** 2); dout = 2 * (out - Y) / out.size",
        symptom="a consistent implementation of another convention: the loss and every data "
                "gradient are n_out/2 x the mse ones (invisible when n_out = 2).",
        caught_by=ALL, demo_options={"losses": ("mse",)}),
    Pitfall(
        id="batch-mean-input-row", target="subject", loss_and_grads=V.batch_mean_input_row,
        rule=_batch_gt_1,
        title="the first layer's step built from the batch-mean input row",
        buggy_line="dW1 = np.outer(X.mean(axis=0), dz1.sum(axis=0))",
        fixed_line="dW1 = X.T @ dz1",
        symptom="only W1 is wrong, and it has rank 1: every input row was replaced by the "
                "batch mean before the outer product; invisible at batch 1 (and at depth 1 it "
                "is mean-before-outer, by that name).",
        caught_by=ALL, demo_options={"min_depth": 2}),
    Pitfall(
        id="l2-grad-missing", target="subject", loss_and_grads=V.l2_grad_missing, rule=_l2,
        title="the L2 penalty is in the loss but not in the gradient",
        buggy_line="J += lam / (2 * m) * sum(W ** 2 for W in weights); dW = a.T @ dz",
        fixed_line="dW = a.T @ dz + lam / m * W   # the penalty's own gradient",
        symptom="every weight gradient is off by exactly -1 x l2/batch x W while the biases "
                "agree; the loss agrees (when the loss lacks the penalty too, l2 is ignored "
                "altogether and the loss is short by l2/(2 batch) sum W^2); invisible at "
                "l2 = 0.",
        caught_by=ALL, demo_options={"l2": 0.5}),
    Pitfall(
        id="l2-grad-halved", target="subject", loss_and_grads=V.l2_grad_halved, rule=_l2,
        title="the L2 gradient without the 2 of the square",
        buggy_line="dW = a.T @ dz + lam / (2 * m) * W   # d/dW of lam/(2m) W^2 copied from the loss",
        fixed_line="dW = a.T @ dz + lam / m * W",
        symptom="every weight gradient is off by exactly -1/2 x l2/batch x W (its L2 term is "
                "half the right one) while the biases and the loss agree; invisible at l2 = 0.",
        caught_by=ALL, demo_options={"l2": 0.5}),
    Pitfall(
        id="l2-grad-doubled", target="subject", loss_and_grads=V.l2_grad_doubled, rule=_l2,
        title="the L2 gradient twice the penalty's",
        buggy_line="dW = a.T @ dz + 2 * lam / m * W   # for the penalty lam/(2m) sum W^2",
        fixed_line="dW = a.T @ dz + lam / m * W   # the 1/2 of the penalty cancels the 2",
        symptom="every weight gradient is off by exactly +1 x l2/batch x W (its L2 term is "
                "twice the right one; in an SGD step, weight decay applied on top of a "
                "gradient that already holds the L2 term) while the biases and the loss "
                "agree; invisible at l2 = 0.",
        caught_by=ALL, demo_options={"l2": 0.5}),
]

CATALOGUE: dict[str, Pitfall] = {p.id: p for p in _RECORDS}


def get_pitfall(pitfall_id: str) -> Pitfall:
    """The record for ``pitfall_id``; ``KeyError`` naming the close ids for an unknown one."""
    try:
        return CATALOGUE[pitfall_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(pitfall_id, list(CATALOGUE), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"unknown pitfall {pitfall_id!r}{hint}") from None
