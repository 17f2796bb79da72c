"""Does not parse."""


def loss_and_grads(params, X, Y, spec)
    return 0.0, {}
