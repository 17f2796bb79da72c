"""Hard-coded two-layer classifier: tanh hidden layer, softmax output, gradients written out line by line."""
import numpy as np


def net_loss(params, X, Y, spec):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    num_examples = X.shape[0]
    reg = spec.l2

    hidden = np.tanh(np.dot(X, W1) + b1)
    scores = np.dot(hidden, W2) + b2

    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    probs = np.exp(log_probs)
    data_loss = -np.sum(Y * log_probs) / num_examples
    reg_loss = 0.5 * reg / num_examples * (np.sum(W1 * W1) + np.sum(W2 * W2))
    loss = data_loss + reg_loss

    dscores = (probs - Y) / num_examples
    dW2 = np.dot(hidden.T, dscores)
    db2 = np.sum(dscores, axis=0)
    dhidden = np.dot(dscores, W2.T) * (1 - hidden ** 2)
    dW1 = np.dot(dhidden.T, X)
    db1 = np.sum(dhidden, axis=0)

    dW2 += reg / num_examples * W2
    dW1 += reg / num_examples * W1
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
