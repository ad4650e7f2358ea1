"""scikit-learn-style displays of a fitted model: its loss curve, its weights as
images, and the digits it gets wrong.

As scikit-learn's displays do, each has ``from_estimator`` (and the gallery of
mistakes ``from_predictions``), a ``plot`` method, and keeps what it drew in
attributes ending in ``_`` (``figure_``, ``ax_`` or ``axes_``...). matplotlib is an
optional dependency, imported when a display first draws.
"""

from ._loss_curve import LossCurveDisplay
from ._misclassified import MisclassifiedDigitsDisplay
from ._weights import WeightsDisplay

__all__ = ["LossCurveDisplay", "MisclassifiedDigitsDisplay", "WeightsDisplay"]
