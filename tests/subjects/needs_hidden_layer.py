"""Correct on networks with a hidden layer; raises IndexError on a network without one (depth
1), as a FullyConnectedNet does that reads its first hidden width with ``hidden_dims[0]``.
crosscheck advises the flags that leave such networks out."""

from mlp_parts import forward, gradients, loss_value


def loss_and_grads(params, X, Y, spec):
    hidden_dims = spec.sizes[1:-1]
    first_hidden = hidden_dims[0]  # IndexError when there is no hidden layer
    assert params["W1"].shape[1] == first_hidden
    out = forward(params, X, spec)[0][-1]
    return loss_value(params, out, Y, spec), gradients(params, X, Y, spec)
