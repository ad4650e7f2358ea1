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


# The losses the notebook printed for its 200-iteration run on MNIST's 60000 training
# images (learning rate 1e-5, raw uint8 pixels plus a bias column): the 42 lines its
# output shows, iteration -> loss, digit for digit as printed.
PRINTED_LOSSES = {
    0: 0.69314718055994528623,
    1: 0.80017553516096073807,
    2: 0.55723828104553563279,
    3: 0.32973175390660297568,
    4: 0.18334562770359463801,
    5: 0.16726190795891721086,
    6: 0.15898112692349325448,
    7: 0.15231619727522435759,
    8: 0.14690314715421115555,
    9: 0.14226046885782328566,
    10: 0.13819528582968026997,
    11: 0.13458801318399327140,
    12: 0.13135763336291331194,
    13: 0.12844347920976570410,
    14: 0.12579789856333775666,
    15: 0.12338265705502209080,
    16: 0.12116664919212588591,
    17: 0.11912428830004077873,
    18: 0.11723432263009328502,
    19: 0.11547894406452016702,
    20: 0.11384310912932420201,
    175: 0.07005631044904066240,
    176: 0.06999624899762441066,
    177: 0.06993673333136346537,
    178: 0.06987775538901459804,
    179: 0.06981930726987627123,
    180: 0.06976138122977343370,
    181: 0.06970396967716367687,
    182: 0.06964706516935990910,
    183: 0.06959066040886570381,
    184: 0.06953474823981939390,
    185: 0.06947932164454294346,
    186: 0.06942437374019248819,
    187: 0.06936989777550613134,
    188: 0.06931588712764681637,
    189: 0.06926233529913597420,
    190: 0.06920923591487564142,
    191: 0.06915658271925567702,
    192: 0.06910436957334328834,
    193: 0.06905259045215231262,
    194: 0.06900123944198929826,
    195: 0.06895031073787410980,
}
