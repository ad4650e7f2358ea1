"""Logistic regression trained by plain, full-batch gradient descent."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._array_api import (
    from_numpy,
    get_namespace,
    to_numpy,
)
from ._callbacks import CallbackSupportMixin, FitHooks
from ._inputs import input_kind
from ._kernels import make_objective
from ._loss import log_sigmoid, log_softmax, sigmoid
from ._solver import SOLVERS, DivergenceError, gradient_descent
from ._step import lipschitz_step


class FitInterruptedWarning(ConvergenceWarning):
    """Warned when Ctrl-C stops :meth:`GDLogisticRegression.fit`: the model keeps the
    weights of the last finished iteration.

    Examples
    --------
    >>> from skdigit import FitInterruptedWarning
    >>> from sklearn.exceptions import ConvergenceWarning
    >>> issubclass(FitInterruptedWarning, ConvergenceWarning)
    True
    """


class StepTooSmallWarning(ConvergenceWarning):
    """Warned when a fit at a fixed learning rate ends with the loss barely moved
    and the gradient as large as at the start: the step is far too small for the
    data (the notebook's 1e-5 on pixels divided by 255, say).

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import GDLogisticRegression, StepTooSmallWarning
    >>> X, y = load_digits(return_X_y=True)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = GDLogisticRegression(learning_rate=1e-5).fit(X / 16, y == 4)
    >>> [w.category.__name__ for w in caught]
    ['StepTooSmallWarning']
    """


# A fit at a fixed learning rate whose loss fell by less than this fraction of its
# first value, while the gradient stayed at least this fraction of its first norm,
# did not train: gradient descent that converges shrinks the gradient, and one that
# merely progresses slowly lowers the loss by far more (the notebook's own run
# lowers it by 90%). Judged only on fits of at least STALL_MIN_ITERATIONS
# iterations, so that a deliberately short fit is not warned about.
STALL_LOSS_DECREASE = 0.01
STALL_GRADIENT_RATIO = 0.9
STALL_MIN_ITERATIONS = 10


class GDLogisticRegression(ClassifierMixin, CallbackSupportMixin, BaseEstimator):
    """Logistic regression fitted by zero-initialised, full-batch gradient descent.

    This is the classifier of the classic "Character Recognition" notebook, made a
    scikit-learn estimator. The weights start at zero; every iteration computes the
    mean log-loss at the current weights, then the gradient
    ``X.T @ (sigmoid(X @ w + b) - y) / n_samples``, then takes one step
    ``w -= learning_rate * gradient`` (the intercept ``b`` gets the same update, as the
    notebook's column of ones did). The defaults reproduce the notebook's run exactly:
    200 iterations at a learning rate of 1e-5 on raw 0-255 pixels.

    With more than two classes, one binary detector per class (one-vs-rest) is trained
    side by side by the same gradient descent, as one weight matrix; each column of
    ``coef_`` is exactly what a binary fit of "this class against the rest" gives.
    ``multiclass="multinomial"`` trains one softmax model instead.

    Parameters
    ----------
    learning_rate : float or "auto", default=1e-5
        Step size of each update. Raw pixels (0 to 255) need a tiny step; features
        scaled to about unit size take steps around 0.1 to 1. "auto" computes a step
        that can not overshoot from the data: ``1 / L``, where ``L`` bounds the
        curvature of the loss (a quarter of the largest eigenvalue of the weighted
        ``X.T @ X / n_samples``, with the intercept's column of ones, half of it for
        multinomial models, plus ``alpha``), found by a few power iterations on X.
        The step used is in ``learning_rate_``.

    max_iter : int, default=200
        Number of iterations (loss evaluations followed by one update each).

    solver : {"gd", "nesterov"}, default="gd"
        How the steps are taken, both full-batch from zero weights:

        - "gd": the notebook's plain gradient descent, each step from the weights
          of the previous one;
        - "nesterov": Nesterov's accelerated gradient, each gradient taken a little
          ahead along the previous step (a momentum growing as ``(k - 1) / (k +
          2)``), restarted whenever the loss goes up or the gradient points against
          the last step. On MNIST it reaches in about 100 iterations what plain
          descent reaches in 2000. Use it with ``learning_rate="auto"``, the step
          its theory asks for, or any step plain descent is stable with.

    fit_intercept : bool, default=True
        Whether to learn an intercept (the notebook's bias column). The intercept is
        updated like the other weights and never penalised.

    alpha : float, default=0.0
        Strength of the L2 penalty ``alpha / 2 * ||coef||^2`` added to the loss.

    tol : float or None, default=None
        None runs exactly ``max_iter`` iterations, like the notebook. A number stops
        the fit once the loss has failed to improve by at least ``tol`` for
        ``n_iter_no_change`` consecutive iterations; a
        :class:`~sklearn.exceptions.ConvergenceWarning` says when ``max_iter`` ran out
        first.

    n_iter_no_change : int, default=10
        Patience of the ``tol`` stopping rule. Unused when ``tol`` is None.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying ``sample_weight`` as in
        :class:`~sklearn.linear_model.LogisticRegression`: a dict maps class labels
        to weights (missing classes weigh 1); "balanced" weighs each class by
        ``n_samples / (n_classes * np.bincount(y))``, so that a one-digit detector's
        10% of positives count as much as the rest.

    multiclass : {"ovr", "multinomial"}, default="ovr"
        How more than two classes are handled: "ovr" trains one sigmoid detector per
        class and reports the mean of their losses (so the first loss is ``log(2)``);
        "multinomial" trains one softmax model (first loss ``log(n_classes)``). Binary
        problems always use the notebook's single sigmoid.

    warm_start : bool, default=False
        Whether to continue from the previous fit's weights; ``loss_curve_`` and
        ``n_iter_`` then continue too. With ``solver="gd"`` two warm-started fits of
        100 iterations give exactly one fit of 200; with ``solver="nesterov"`` the
        momentum is not kept between fits (as in scikit-learn's MLP): the
        continuation restarts it from the previous fit's weights.

    verbose : int, default=0
        With 1 or more, print the notebook's line
        ``Iteration    i => Loss: 0.69314718055994528623`` at each iteration.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    learning_rate_ : float
        The step size used: ``learning_rate``, or the one computed for "auto".

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Learned weights; one row for a binary problem (the weights of
        ``classes_[1]``), one row per class otherwise.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Learned intercepts (zeros when ``fit_intercept=False``).

    n_iter_ : int
        Number of iterations run, counting earlier warm-started fits. Smaller than
        ``max_iter`` when ``tol``, a callback or Ctrl-C stopped the fit.

    loss_curve_ : list of float
        The loss at the point where each iteration took its gradient: for
        ``solver="gd"`` the weights at the start of the iteration, before its
        update (entry ``i`` is the value the notebook prints as ``Iteration i``);
        for ``solver="nesterov"`` the look-ahead point, so the curve may rise where
        the momentum restarts. The loss includes the penalty and the sample (and
        class) weights.

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`. Defined only when `X` has feature
        names that are all strings.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model fitted by a fast solver.
    sklearn.linear_model.SGDClassifier : Stochastic gradient descent on mini-batches.
    OneDigitBinarizer : Turn digit labels into the notebook's one-digit target.

    Notes
    -----
    Floating-point input (float32 or float64) is used as it is, and so is integer
    input such as the notebook's uint8 pixels, memory-mapped files included: each
    block of rows is converted to float64 in a small buffer as the fit reads it, with
    exactly the results of a float64 copy, which is never made. Each iteration reads
    ``X`` once from memory; sparse CSR input is supported. With numba installed
    (``pip install "skdigit[fast]"``) a compiled kernel does each iteration in one
    sweep over ``X``; ``SKDIGIT_KERNEL=numpy`` in the environment switches back to
    the NumPy kernel.

    Gradient descent at a learning rate too large for the data overshoots; when the
    loss grows a thousandfold, :meth:`fit` raises a ``ValueError`` instead of returning
    meaningless weights. At a learning rate far too small, the loss barely moves:
    :class:`StepTooSmallWarning` says so.

    With scikit-learn 1.9 or newer, callbacks set with ``set_callbacks`` (for
    example ``sklearn.callback.ProgressBar``) see one task per iteration, and a
    callback whose ``on_fit_task_end`` returns True stops the fit there. Ctrl-C
    during :meth:`fit` keeps the weights of the last finished iteration, warns with
    :class:`FitInterruptedWarning` and returns.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import GDLogisticRegression
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X * (255 / 16)  # 8x8 digits on MNIST's 0-255 pixel scale
    >>> y4 = (y == 4).astype(int)
    >>> clf = GDLogisticRegression().fit(X, y4)
    >>> clf.loss_curve_[:2]
    [0.6931471805599453, 0.3142829801002...]
    >>> clf.coef_.shape
    (1, 64)
    >>> round(clf.score(X, y4), 3)
    0.995
    """

    _parameter_constraints: dict = {
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "fit_intercept": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "multiclass": [StrOptions({"ovr", "multinomial"})],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        learning_rate=1e-5,
        max_iter=200,
        solver="gd",
        fit_intercept=True,
        alpha=0.0,
        tol=None,
        n_iter_no_change=10,
        class_weight=None,
        multiclass="ovr",
        warm_start=False,
        verbose=0,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.multiclass = multiclass
        self.warm_start = warm_start
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        # A fixed step suits data of one scale only (1e-5 suits 0-255 pixels), so
        # scikit-learn's checks of accuracy on arbitrary data apply only to the
        # step computed from the data.
        tags.classifier_tags.poor_score = self.learning_rate != "auto"
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data, for example raw 0-255 pixels. A dask array is fitted on
            its cluster, one map-reduce over its row chunks per iteration.

        y : array-like of shape (n_samples,)
            Target labels: any two labels (ints or strings) for a detector, more for
            a multiclass model.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, multiplied by ``class_weight``; the loss and
            gradient are normalised by their sum, so integer weights have the
            effect of repeated rows and only their ratios matter.

        Returns
        -------
        self : object
            Fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import GDLogisticRegression
        >>> X = np.array([[0.0, 255.0], [255.0, 0.0], [10.0, 240.0], [240.0, 30.0]])
        >>> clf = GDLogisticRegression(max_iter=3).fit(X, ["four", "other"] * 2)
        >>> clf.classes_.tolist(), clf.n_iter_, len(clf.loss_curve_)
        (['four', 'other'], 3, 3)
        """
        kind = input_kind(X)
        xp = kind.xp
        X, y = kind.validate_fit(self, X, y, reset=not self._continues_previous_fit())
        check_classification_targets(y)
        classes, encoded = self._encode_targets(y)
        float_dtype = kind.float_dtype(X)
        weights = _validate_sample_weight(sample_weight, len(y), float_dtype)
        weights = kind.to_fit(self._weigh_classes(weights, classes, y, encoded), X)
        Y = kind.to_fit(_target_matrix(encoded, len(classes), float_dtype), X)
        link = self._link(len(classes))
        learning_rate = self._learning_rate(X, weights, link, xp)
        coef, intercept = self._initial_weights(kind, X, Y.shape[1])
        previous_curve = (
            list(self.loss_curve_) if self._continues_previous_fit() else []
        )

        def fitted_attributes(coef, intercept, losses):
            return self._fitted_attributes(
                classes, coef, intercept, previous_curve + losses, learning_rate, xp
            )

        hooks = FitHooks(
            self,
            X=X,
            y=y,
            metadata=None if sample_weight is None else {"sample_weight": weights},
            fitted_attributes=fitted_attributes,
            max_iter=self.max_iter,
            verbose=bool(self.verbose),
        )
        # One-vs-rest reports the mean of its detectors' penalised losses.
        penalty_share = 1 / Y.shape[1] if link == "sigmoid" else 1.0
        with make_objective(
            X,
            Y,
            weights,
            link=link,
            alpha=self.alpha,
            penalty_share=penalty_share,
            xp=xp,
            max_iter=self.max_iter,
        ) as objective:
            try:
                result = gradient_descent(
                    objective,
                    coef,
                    intercept,
                    learning_rate=learning_rate,
                    solver=self.solver,
                    fit_intercept=self.fit_intercept,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    n_iter_no_change=self.n_iter_no_change,
                    first_iteration=len(previous_curve),
                    reference_loss=previous_curve[0] if previous_curve else None,
                    hooks=hooks,
                    xp=xp,
                )
            except DivergenceError as exc:
                advice = self._divergence_advice(kind.float_dtype(X))
                raise ValueError(f"{exc} {advice}") from None
        # Fitted attributes are set only now, so a failed fit leaves none half-made.
        attributes = fitted_attributes(result.coef, result.intercept, result.loss_curve)
        for name, value in attributes.items():
            setattr(self, name, value)
        self._warn_about_stop(result)
        hooks.finish(attributes)
        return self

    def _weigh_classes(self, weights, classes, y, encoded):
        """The sample weights times the class weights, rescaled so that the
        largest is 1: only their ratios matter, and tiny weights would underflow
        the products of the fit, huge ones overflow their sum."""
        if isinstance(self.class_weight, dict):
            unknown = [label for label in self.class_weight if label not in classes]
            if unknown:
                raise ValueError(
                    f"class_weight has keys {unknown} that are not labels in y, "
                    f"whose classes are {classes.tolist()}: use those labels as "
                    "the keys."
                )
        if self.class_weight is not None:
            per_class = compute_class_weight(self.class_weight, classes=classes, y=y)
            weights = weights * per_class[encoded].astype(weights.dtype)
        if not weights.any():
            raise ValueError(
                "sample_weight (times class_weight) contains only zero weights: at "
                "least one weight must be positive."
            )
        largest = weights.max()
        return weights if largest == 1 else weights / largest

    def _divergence_advice(self, dtype):
        if self.learning_rate != "auto":
            return (
                f"The learning_rate={self.learning_rate!r} is too large for this "
                'data: use a smaller learning_rate or learning_rate="auto", or scale '
                "the features (for example divide pixels by 255, or use "
                "StandardScaler)."
            )
        return (
            'learning_rate="auto" sized the step from the data, so X\'s values are '
            f"too large to compute with in {dtype.name}: scale the features (for "
            "example divide pixels by 255, or use StandardScaler)."
        )

    def _fitted_attributes(self, classes, coef, intercept, curve, learning_rate, xp):
        """The fitted attributes of a model with these weights and losses."""
        return {
            "classes_": classes,
            "coef_": xp.asarray(coef.T, copy=True),
            "intercept_": xp.asarray(intercept, copy=True),
            "loss_curve_": list(curve),
            "n_iter_": len(curve),
            "learning_rate_": learning_rate,
        }

    def _warn_about_stop(self, result):
        stopped_by = result.stopped_by
        if stopped_by in ("max_iter", "tol") and self._stalled(result):
            first, last = result.loss_curve[0], result.loss_curve[-1]
            warnings.warn(
                f"Gradient descent barely moved: the loss went from {first:.6g} to "
                f"{last:.6g} in {len(result.loss_curve)} iterations and the gradient "
                f"is still {result.gradient_norms[1] / result.gradient_norms[0]:.0%} "
                f"of its first size: learning_rate={self.learning_rate!r} is far "
                'too small for this data. Use learning_rate="auto" (the notebook\'s '
                "1e-5 suits raw 0-255 pixels; pixels divided by 255 take steps "
                "around 0.1 to 1).",
                StepTooSmallWarning,
                stacklevel=3,
            )
        if stopped_by == "interrupt":
            warnings.warn(
                f"Gradient descent was interrupted after {self.n_iter_} iterations: "
                "the model keeps the weights of the last finished iteration.",
                FitInterruptedWarning,
                stacklevel=3,
            )
        elif self.tol is not None and stopped_by == "max_iter":
            warnings.warn(
                f"Gradient descent: Maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _stalled(self, result):
        """Whether this fit's steps were far too small to train (see
        :class:`StepTooSmallWarning` and the ``STALL_*`` constants)."""
        curve, norms = result.loss_curve, result.gradient_norms
        if self.learning_rate == "auto" or len(curve) < STALL_MIN_ITERATIONS:
            return False
        little_progress = curve[0] - curve[-1] < STALL_LOSS_DECREASE * curve[0]
        # A zero first gradient: the zero weights are already optimal.
        still_steep = norms[0] > 0 and norms[1] >= STALL_GRADIENT_RATIO * norms[0]
        return little_progress and still_steep

    def _learning_rate(self, X, weights, link, xp):
        if self.learning_rate != "auto":
            return self.learning_rate
        return lipschitz_step(
            X,
            weights,
            link=link,
            fit_intercept=self.fit_intercept,
            alpha=self.alpha,
            xp=xp,
        )

    def _continues_previous_fit(self):
        return self.warm_start and hasattr(self, "coef_")

    def _encode_targets(self, y):
        """The sorted class labels, and y as indices into them."""
        classes, encoded = np.unique(y, return_inverse=True)
        if self._continues_previous_fit() and not np.array_equal(
            classes, self.classes_
        ):
            raise ValueError(
                f"warm_start=True needs the same classes as the previous fit: got "
                f"{classes.tolist()}, expected {self.classes_.tolist()}. "
                "Set warm_start=False to start a new fit."
            )
        if len(classes) < 2:
            raise ValueError(
                "GDLogisticRegression needs samples of at least 2 classes in y, but "
                f"the data contains only one class: {classes.tolist()[0]!r}."
            )
        return classes, encoded

    def _link(self, n_classes):
        multinomial = self.multiclass == "multinomial" and n_classes > 2
        return "softmax" if multinomial else "sigmoid"

    def _initial_weights(self, kind, X, n_outputs):
        """Zeros, like the notebook, or the previous fit's weights (warm start)."""
        if self._continues_previous_fit():
            dtype = kind.weight_dtype(X)
            return (
                kind.xp.astype(self.coef_.T, dtype, copy=True),
                kind.xp.astype(self.intercept_, dtype, copy=True),
            )
        return kind.zeros((X.shape[1], n_outputs), X), kind.zeros(n_outputs, X)

    def _predict_on_rows(self, X, method, function, output):
        """``function`` of the validated X: lazily, chunk by chunk, for dask.

        ``output`` says what each row gives: "scores" (one per output), "classes"
        (one per class) or "labels" (one label).
        """
        check_is_fitted(self)
        kind = input_kind(X)
        X = kind.validate_predict(self, X, method)
        n_columns, dtype = {
            "scores": (None if self._n_outputs == 1 else self._n_outputs, None),
            "classes": (len(self.classes_), None),
            "labels": (None, self.classes_.dtype),
        }[output]
        return kind.map_rows(X, function, n_columns, dtype)

    @property
    def _n_outputs(self):
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _scores(self, X):
        xp = get_namespace(self.coef_)
        coef = xp.astype(self.coef_, X.dtype)
        scores = X @ coef.T + xp.astype(self.intercept_, X.dtype)
        return scores[:, 0] if self._n_outputs == 1 else scores

    def _proba(self, X):
        return self._probabilities(self._scores(X))

    def _probabilities(self, scores):
        xp = get_namespace(scores)
        if scores.ndim == 1:
            # sigmoid(-z) rather than 1 - sigmoid(z), which cancels to 0 for large z.
            return xp.stack([sigmoid(-scores, xp), sigmoid(scores, xp)], axis=1)
        return xp.exp(self._multiclass_log_proba(scores, xp))

    def _log_proba(self, X):
        scores = self._scores(X)
        xp = get_namespace(scores)
        if xp.finfo(scores.dtype).bits == 32:
            # float32 can not hold a probability a hair below 1 that the direct
            # logarithm below resolves; scikit-learn defines predict_log_proba as
            # log(predict_proba), and float32 models keep to that definition.
            with np.errstate(divide="ignore"):
                return xp.log(self._probabilities(scores))
        if scores.ndim == 1:
            return xp.stack([log_sigmoid(-scores, xp), log_sigmoid(scores, xp)], axis=1)
        return self._multiclass_log_proba(scores, xp)

    def _multiclass_log_proba(self, scores, xp):
        if self.multiclass == "multinomial":
            return log_softmax(scores, xp)
        # The detectors' sigmoids, rescaled to sum to one.
        return log_softmax(log_sigmoid(scores, xp), xp)

    def _labels(self, X):
        scores = self._scores(X)
        xp = get_namespace(scores)
        if scores.ndim == 1:
            # The notebook's np.round(sigmoid): a probability of 0.5 rounds to 0.
            indices = xp.astype(sigmoid(scores, xp) > 0.5, xp.int64)
        else:
            indices = xp.argmax(scores, axis=1)
        if xp is np or self.classes_.dtype.kind not in "biuf":
            return self.classes_[to_numpy(indices)]
        return xp.take(from_numpy(self.classes_, xp, scores), indices)

    def decision_function(self, X):
        """Signed distance to the decision boundary: ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : array of shape (n_samples,) or (n_samples, n_classes)
            For a binary problem, positive scores favour ``classes_[1]``. Lazy for a
            dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import GDLogisticRegression
        >>> X = np.array([[0.0, 255.0], [255.0, 0.0]])
        >>> clf = GDLogisticRegression().fit(X, [0, 1])
        >>> clf.decision_function(X) > 0
        array([False,  True])
        """
        return self._predict_on_rows(X, "decision_function", self._scores, "scores")

    def predict_proba(self, X):
        """Class probabilities.

        For a binary problem, the second column is the notebook's
        ``sigmoid(X @ w)``. One-vs-rest models normalise their per-class sigmoids so
        each row sums to one; multinomial models return the softmax.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : array of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``. Lazy for a dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import GDLogisticRegression
        >>> X = np.array([[0.0, 255.0], [255.0, 0.0]])
        >>> clf = GDLogisticRegression().fit(X, [0, 1])
        >>> proba = clf.predict_proba(X)
        >>> proba.shape, proba.sum(axis=1).round(12).tolist()
        ((2, 2), [1.0, 1.0])
        """
        return self._predict_on_rows(X, "predict_proba", self._proba, "classes")

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        For float64 ``X`` it is computed without forming the probabilities, so it
        stays exact where they round to 0 or 1; for float32 ``X`` it is
        ``log(predict_proba(X))``, as float32 can not hold the difference.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : array of shape (n_samples, n_classes)
            Lazy for a dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import GDLogisticRegression
        >>> X = np.array([[0.0, 255.0], [255.0, 0.0]])
        >>> clf = GDLogisticRegression().fit(X, [0, 1])
        >>> bool(np.allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X)))
        True
        """
        return self._predict_on_rows(X, "predict_log_proba", self._log_proba, "classes")

    def predict(self, X):
        """Predicted class labels.

        Binary decisions are the notebook's ``np.round(sigmoid(X @ w))``: a
        probability of exactly 0.5 goes to ``classes_[0]``. Multiclass decisions take
        the class of highest score.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : array of shape (n_samples,)
            Lazy for a dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import GDLogisticRegression
        >>> X = np.array([[0.0, 255.0], [255.0, 0.0], [10.0, 240.0], [240.0, 30.0]])
        >>> clf = GDLogisticRegression().fit(X, ["four", "other", "four", "other"])
        >>> clf.predict(X).tolist()
        ['four', 'other', 'four', 'other']
        """
        return self._predict_on_rows(X, "predict", self._labels, "labels")


def _validate_sample_weight(sample_weight, n_samples, dtype):
    """Sample weights as a NumPy array of ``dtype``, checked for shape and sign."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    weights = np.asarray(to_numpy(sample_weight))
    if np.iscomplexobj(weights):
        raise ValueError(
            "sample_weight must hold real numbers; got complex values. Pass their "
            "real part (or absolute value) explicitly if that is what you mean."
        )
    weights = weights.astype(dtype)
    if weights.ndim == 0:
        weights = np.full(n_samples, weights, dtype=dtype)
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}: "
            "give one weight per row of X."
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    return weights


def _target_matrix(encoded, n_classes, dtype):
    """0/1 targets: one column for a binary problem, one per class otherwise."""
    if n_classes == 2:
        return (encoded == 1).astype(dtype).reshape(-1, 1)
    return (encoded[:, None] == np.arange(n_classes)).astype(dtype)
