"""
====================================
Precision and recall of a 4-detector
====================================

Accuracy flatters a one-digit detector: answering "not a 4" every time is already
90% right. Precision (how many of the detected 4s are 4s) and recall (how many of the
4s are found) tell the real story, and the threshold on ``predict_proba`` trades one
for the other.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import PrecisionRecallDisplay, classification_report
from sklearn.model_selection import train_test_split

from skdigit import GDLogisticRegression

X, y = load_digits(return_X_y=True)
X = np.rint(X * 255 / 16)
X_train, X_test, y_train, y_test = train_test_split(
    X, y == 4, test_size=0.3, random_state=0, stratify=y
)
detector = GDLogisticRegression().fit(X_train, y_train)
print(
    classification_report(y_test, detector.predict(X_test), target_names=["other", "4"])
)

# %%
# The curve sweeps the decision threshold; the notebook's rounding is the threshold
# 0.5.
display = PrecisionRecallDisplay.from_estimator(
    detector, X_test, y_test, name="4-detector"
)
display.ax_.set_title("Precision and recall of the notebook's 4-detector")
plt.show()
