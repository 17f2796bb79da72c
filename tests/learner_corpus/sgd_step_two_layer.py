"""One stochastic-gradient step for a 2-layer sigmoid network with a mean-squared-error loss.
Written as in a from-scratch tutorial: forward, backward, update, return the new weights.
Step size fixed inside the function."""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sgd_step(params, X, Y, spec):
    lr = 0.5
    W1, b1 = params["W1"].copy(), params["b1"].copy()
    W2, b2 = params["W2"].copy(), params["b2"].copy()
    m = X.shape[0]

    hidden = sigmoid(X @ W1 + b1)
    output = hidden @ W2 + b2

    error = output - Y
    d_output = 2 * error / error.size
    dW2 = hidden.T @ d_output + spec.l2 / m * W2
    db2 = d_output.sum(axis=0)
    W2 -= lr * dW2
    b2 -= lr * db2

    d_hidden = (d_output @ W2.T) * hidden * (1 - hidden)
    dW1 = X.T @ d_hidden + spec.l2 / m * W1
    db1 = d_hidden.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1

    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
