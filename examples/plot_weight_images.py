"""
==========================
What the detectors learned
==========================

Each weight of a detector belongs to one pixel, so its weights can be shown as an
image: red pixels push towards "this digit", blue ones away from it. Trained on all
ten digits, the one-vs-rest model holds one such image per digit, which
:class:`~skdigit.WeightsDisplay` draws; :class:`~skdigit.MisclassifiedDigitsDisplay`
then shows the test digits the model gets wrong.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdigit import GDLogisticRegression, MisclassifiedDigitsDisplay, WeightsDisplay

X, y = load_digits(return_X_y=True)
X = np.rint(X * 255 / 16)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
model = GDLogisticRegression().fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# One colour scale for all ten images, centred on zero, so that they compare.
display = WeightsDisplay.from_estimator(model)
display.figure_.suptitle("One-vs-rest weights, one image per digit")
plt.show()

# %%
# The first test digits it gets wrong, with what it took them for.
MisclassifiedDigitsDisplay.from_estimator(model, X_test, y_test, max_images=15)
plt.show()
