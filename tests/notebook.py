"""The notebook's algorithm, kept as the notebook wrote it, as a reference for tests.

Only two things differ from the notebook's cells: ``train`` returns the losses it
would print instead of printing them, and the data come in as arguments.
"""

import numpy as np


def add_bias_column(X):
    """The notebook's ``np.insert(images_matrix, 0, 1, axis=1)``."""
    return np.insert(X, 0, 1, axis=1)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def predict(X, w):
    return sigmoid(np.matmul(X, w))


def loss(X, Y, w):
    predictions = predict(X, w)
    first_term = Y * np.log(predictions)
    second_term = (1 - Y) * np.log(1 - predictions)
    return -np.average(first_term + second_term)


def gradient(X, Y, w):
    return np.matmul(X.T, (predict(X, w) - Y)) / X.shape[0]


def train(X, Y, iterations, lr):
    """Return the weights (bias first) and the losses the notebook prints."""
    w = np.zeros((X.shape[1], 1))
    losses = []
    for _ in range(iterations):
        losses.append(loss(X, Y, w))
        w -= gradient(X, Y, w) * lr
    return w, np.array(losses)
