"""Does not load: the function's name has a typo."""


def loss_and_grad(params, X, Y, spec):
    return 0.0, {}
