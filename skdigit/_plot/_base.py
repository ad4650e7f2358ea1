"""What every display needs: a figure to draw in, and what it reads off a model."""

from .._optional import import_optional


def matplotlib_module(name):
    """``matplotlib.<name>``, or an ImportError that says how to install it."""
    return import_optional(f"matplotlib.{name}", needed_for="plotting")


def new_figure(figsize):
    """A pyplot figure, as scikit-learn's displays make when given no ``ax``:
    ``plt.show()`` shows it and sphinx-gallery collects it. Callers that must not
    touch pyplot (the command) pass axes of a figure of their own instead.
    """
    return matplotlib_module("pyplot").figure(figsize=figsize, layout="constrained")


def fitted_attribute(estimator, name, display):
    """The fitted model of ``estimator`` (a pipeline's last step) and its ``name``.

    ``display`` names the caller in the error raised when the model has no such
    attribute.
    """
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    model = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    check_is_fitted(model)
    if not hasattr(model, name):
        raise TypeError(
            f"{display}.from_estimator needs a fitted model with {name}, such as "
            f"GDLogisticRegression; {type(model).__name__} has none."
        )
    return model, getattr(model, name)
