"""Computational-graph style: each node (MatMul, AddBias, activations, loss) has forward() and backward(dout)."""
import numpy as np


class MatMul:
    def __init__(self, W):
        self.W = W

    def forward(self, x):
        self.x = x
        return x @ self.W

    def backward(self, dout):
        self.dW = self.x.T @ dout
        return dout @ self.W.T


class AddBias:
    def __init__(self, b):
        self.b = b

    def forward(self, x):
        return x + self.b

    def backward(self, dout):
        self.db = dout.sum(axis=0)
        return dout


class SigmoidNode:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return self.out * (1 - self.out)


class TanhNode:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class ReluNode:
    def forward(self, x):
        self.x = x
        return np.maximum(0, x)

    def backward(self, dout):
        return np.where(self.x > 0, dout, 0.0)


class IdentityNode:
    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


class LossNode:
    def __init__(self, kind):
        self.kind = kind

    def forward(self, x, t):
        self.x, self.t = x, t
        n = x.shape[0]
        if self.kind == "mse":
            return np.mean((x - t) ** 2)
        if self.kind == "softmax_cross_entropy":
            s = x - np.max(x, axis=1, keepdims=True)
            self.logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
            return -np.sum(t * self.logp) / n
        return np.sum(np.logaddexp(0, x) - t * x) / n

    def backward(self, dout=1.0):
        n = self.x.shape[0]
        if self.kind == "mse":
            return dout * 2 * (self.x - self.t) / self.x.size
        if self.kind == "softmax_cross_entropy":
            return dout * (np.exp(self.logp) - self.t) / n
        return dout * (1 / (1 + np.exp(-self.x)) - self.t) / n


NODES = {"sigmoid": SigmoidNode, "tanh": TanhNode, "relu": ReluNode, "identity": IdentityNode}


def loss_and_grads(params, X, Y, spec):
    L = len(spec.sizes) - 1
    graph = []
    for l in range(1, L + 1):
        graph.append(MatMul(params["W%d" % l]))
        graph.append(AddBias(params["b%d" % l]))
        graph.append(NODES[spec.activations[l - 1]]())
    loss_node = LossNode(spec.loss)

    h = X
    for node in graph:
        h = node.forward(h)
    m = X.shape[0]
    loss = loss_node.forward(h, Y)
    loss += spec.l2 / (2 * m) * sum(np.sum(params["W%d" % l] ** 2) for l in range(1, L + 1))

    dout = loss_node.backward(1.0)
    for node in reversed(graph):
        dout = node.backward(dout)

    grads = {}
    for l in range(1, L + 1):
        matmul, addbias = graph[3 * (l - 1)], graph[3 * (l - 1) + 1]
        grads["W%d" % l] = matmul.dW + spec.l2 / m * params["W%d" % l]
        grads["b%d" % l] = addbias.db
    return float(loss), grads
