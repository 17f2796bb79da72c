# conv-relu-pool-affine-relu-affine with numpy stride tricks + einsum.
import numpy as np
from numpy.lib.stride_tricks import as_strided


def windows(x, kh, kw, step=1):
    """View of all kh x kw windows: (N, C, Ho, Wo, kh, kw), read-only."""
    N, C, H, W = x.shape
    s0, s1, s2, s3 = x.strides
    Ho = (H - kh) // step + 1
    Wo = (W - kw) // step + 1
    return as_strided(x, shape=(N, C, Ho, Wo, kh, kw),
                      strides=(s0, s1, s2 * step, s3 * step, s2, s3),
                      writeable=False)


def loss_and_grads(params, X, Y, spec):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'))
    N = X.shape[0]
    F, C, K, _ = W1.shape
    P = (K - 1) // 2
    lam = spec.l2

    # ---- forward
    Xp = np.ascontiguousarray(np.pad(X, ((0, 0), (0, 0), (P, P), (P, P))))
    Xw = windows(Xp, K, K)                                    # (N,C,Ho,Wo,K,K)
    z1 = np.einsum('nchwij,fcij->nfhw', Xw, W1) + b1[None, :, None, None]
    a1 = np.maximum(z1, 0)

    Ho, Wo = z1.shape[2], z1.shape[3]
    H2, W2_ = Ho // 2, Wo // 2
    a1c = np.ascontiguousarray(a1[:, :, :2 * H2, :2 * W2_])
    pw = windows(a1c, 2, 2, step=2).reshape(N, F, H2, W2_, 4)  # copy
    arg = pw.argmax(axis=-1)
    pooled = pw.max(axis=-1)                                  # (N,F,H2,W2)

    flat = pooled.reshape(N, -1)
    z2 = flat @ W2 + b2
    h = np.maximum(z2, 0)
    scores = h @ W3 + b3

    rows = np.arange(N)
    if spec.loss == 'softmax_cross_entropy':
        m = scores.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))
        data_loss = np.mean(lse - scores[rows, Y])
        dscores = np.exp(scores - lse[:, None])
        dscores[rows, Y] -= 1
        dscores /= N
    elif spec.loss == 'svm':
        marg = scores - scores[rows, Y][:, None] + 1.0
        marg[rows, Y] = 0.0
        active = marg > 0
        data_loss = np.sum(marg[active]) / N
        dscores = active.astype(np.float64)
        dscores[rows, Y] = -active.sum(axis=1)
        dscores /= N
    else:
        raise ValueError(spec.loss)

    loss = data_loss + lam / (2 * N) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))

    # ---- backward
    dW3 = np.einsum('nh,nk->hk', h, dscores)
    db3 = dscores.sum(0)
    dh = dscores @ W3.T
    dz2 = dh * (z2 > 0)
    dW2 = np.einsum('nd,nh->dh', flat, dz2)
    db2 = dz2.sum(0)
    dflat = dz2 @ W2.T
    dpooled = dflat.reshape(N, H2, W2_, F).transpose(0, 3, 1, 2)

    da1 = np.zeros_like(a1)
    for k in range(4):
        di, dj = divmod(k, 2)
        da1[:, :, di:2 * H2:2, dj:2 * W2_:2] += dpooled * (arg == k)
    dz1 = da1 * (z1 > 0)

    dW1 = np.einsum('nfhw,nchwij->fcij', dz1, Xw)
    db1 = dz1.sum(axis=(0, 2, 3))

    grads = {
        'W1': dW1 + lam / N * W1,
        'b1': db1,
        'W2': dW2 + lam / N * W2,
        'b2': db2,
        'W3': dW3 + lam / N * W3,
        'b3': db3,
    }
    return loss, grads
