"""ex4 nnCostFunction in NumPy: one hidden layer, unrolled parameters in Octave's column-major
order so the vector can go straight back to an fmincg port. Sigmoid units, logistic cost,
regularised."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def nnCostFunction(nn_params, X, Y, spec):
    s1, s2, K = spec.sizes
    lmbda = spec.l2
    m = X.shape[0]
    Theta1 = nn_params[:s2 * (s1 + 1)].reshape((s2, s1 + 1), order="F")
    Theta2 = nn_params[s2 * (s1 + 1):].reshape((K, s2 + 1), order="F")

    A1 = np.c_[np.ones(m), X]
    Z2 = A1 @ Theta1.T
    A2 = np.c_[np.ones(m), sigmoid(Z2)]
    H = sigmoid(A2 @ Theta2.T)

    J = np.sum(-Y * np.log(H) - (1 - Y) * np.log(1 - H)) / m
    J = J + lmbda / (2 * m) * (np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2))

    D3 = H - Y
    D2 = (D3 @ Theta2[:, 1:]) * sigmoid(Z2) * (1 - sigmoid(Z2))
    Theta1_grad = D2.T @ A1 / m
    Theta2_grad = D3.T @ A2 / m
    Theta1_grad = Theta1_grad + lmbda / m * Theta1
    Theta2_grad = Theta2_grad + lmbda / m * Theta2

    return J, np.r_[Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")]
