"""Tests for skdigit._plot: the loss curve, weights and misclassified-digit displays."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skdigit import (
    GDLogisticRegression,
    LossCurveDisplay,
    MisclassifiedDigitsDisplay,
    PixelScaler,
    WeightsDisplay,
)

plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.figure import Figure  # noqa: E402


@pytest.fixture(autouse=True)
def close_pyplot_figures():
    yield
    plt.close("all")


def _image_panels(display):
    return [ax for ax in display.axes_.ravel() if ax is not None and ax.images]


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(60, 16)).astype(np.uint8)
    y = rng.integers(0, 3, size=60)
    return X, y


# ----------------------------------------------------------------------- loss


def test_single_loss_curve():
    curve = [0.69, 0.5, 0.42, 0.39, 0.37]
    display = LossCurveDisplay(loss_curve=curve).plot()
    assert display.ax_.figure is display.figure_
    # x is the iteration number the notebook prints, starting at 0.
    np.testing.assert_array_equal(display.line_.get_xdata(), [0, 1, 2, 3, 4])
    np.testing.assert_allclose(display.line_.get_ydata(), curve)
    ax = display.ax_
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("iteration", "mean log-loss")
    assert ax.get_yscale() == "linear"
    assert [text.get_text() for text in ax.texts] == ["final: 0.37"]
    assert ax.get_legend() is None


def test_from_estimator_plots_the_loss_curve_of_the_last_step(digits):
    X, y = digits
    model = make_pipeline(PixelScaler(), GDLogisticRegression(max_iter=7)).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    np.testing.assert_array_equal(display.line_.get_ydata(), model[-1].loss_curve_)


def test_named_curves_compare_on_one_axes_with_their_final_loss():
    first = LossCurveDisplay(loss_curve=[0.69, 0.6], name="lr=0.01").plot()
    second = LossCurveDisplay(loss_curve=[0.69, 0.2, 0.05]).plot(
        ax=first.ax_, name="lr=1"
    )
    ax = second.ax_
    assert ax is first.ax_ and len(ax.get_lines()) == 2
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["lr=0.01 (final 0.6)", "lr=1 (final 0.05)"]
    # 0.69 down to 0.05, over both curves, spans more than a decade.
    assert ax.get_yscale() == "log"


def test_the_scale_follows_every_curve_on_the_axes():
    wide = LossCurveDisplay(loss_curve=[0.69, 0.01], name="wide").plot()
    LossCurveDisplay(loss_curve=[0.69, 0.6], name="narrow").plot(ax=wide.ax_)
    assert wide.ax_.get_yscale() == "log"


@pytest.mark.parametrize(("log_scale", "expected"), [(True, "log"), (False, "linear")])
def test_log_scale_can_be_forced(log_scale, expected):
    display = LossCurveDisplay(loss_curve=[0.69, 0.001]).plot(log_scale=log_scale)
    assert display.ax_.get_yscale() == expected


def test_diverging_curve_reports_its_last_finite_loss():
    curve = [0.69, 30.0, np.inf, np.nan]
    display = LossCurveDisplay(loss_curve=curve, name="lr=100").plot()
    assert display.ax_.get_legend().get_texts()[0].get_text() == "lr=100 (final 30)"
    assert display.ax_.get_yscale() == "log"


def test_without_ax_the_figure_is_pyplots_and_with_one_it_is_not():
    made = LossCurveDisplay(loss_curve=[0.7, 0.5]).plot()
    assert made.figure_.number in plt.get_fignums()
    figure = Figure()
    ax = figure.add_subplot()
    drawn = LossCurveDisplay(loss_curve=[0.7, 0.5]).plot(ax=ax)
    assert drawn.ax_ is ax and drawn.figure_ is figure
    assert plt.get_fignums() == [made.figure_.number]


@pytest.mark.parametrize("loss_curve", [[], [[0.5, 0.4]]])
def test_bad_loss_curves(loss_curve):
    with pytest.raises(ValueError, match="loss_curve"):
        LossCurveDisplay(loss_curve=loss_curve).plot()


def test_bad_log_scale():
    with pytest.raises(ValueError, match="log_scale"):
        LossCurveDisplay(loss_curve=[0.5]).plot(log_scale="yes")


def test_from_estimator_needs_a_fitted_model_with_a_loss_curve(digits):
    X, y = digits
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GDLogisticRegression())
    with pytest.raises(TypeError, match=r"loss_curve_.*LogisticRegression has none"):
        LossCurveDisplay.from_estimator(LogisticRegression(max_iter=5000).fit(X, y))


# -------------------------------------------------------------------- weights


def test_one_panel_per_class_with_a_shared_symmetric_scale():
    rng = np.random.default_rng(0)
    coef = rng.normal(size=(10, 784))
    coef[3, 5] = 9.0  # the largest weight sets the scale of every panel
    display = WeightsDisplay(coef=coef, display_labels=np.arange(10)).plot()
    assert display.axes_.shape == (2, 5)
    panels = _image_panels(display)
    assert [ax.get_title() for ax in panels] == [str(k) for k in range(10)]
    for ax, image, weights in zip(panels, display.images_.ravel(), coef, strict=True):
        assert list(ax.images) == [image]
        assert image.get_clim() == (-9.0, 9.0)
        np.testing.assert_array_equal(image.get_array(), weights.reshape(28, 28))
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert display.colorbar_.ax in display.figure_.axes
    assert not display.bounding_ax_.axison


def test_a_binary_model_shows_its_positive_class(digits):
    X, y = digits
    model = GDLogisticRegression(max_iter=3).fit(X, y == 1)
    display = WeightsDisplay.from_estimator(model, display_labels=["other", "one"])
    (panel,) = _image_panels(display)
    assert panel.get_title() == "positive class: one"
    (image,) = panel.images
    assert image.get_array().shape == (4, 4)
    limit = np.abs(model.coef_).max()
    assert image.get_clim() == (-limit, limit)


def test_from_estimator_reads_the_last_step_and_its_classes(digits):
    X, y = digits
    model = make_pipeline(PixelScaler(), GDLogisticRegression(max_iter=3)).fit(X, y)
    display = WeightsDisplay.from_estimator(model, image_shape=(2, 8))
    assert [ax.get_title() for ax in _image_panels(display)] == ["0", "1", "2"]
    assert display.images_[0, 0].get_array().shape == (2, 8)


def test_all_zero_weights_still_plot():
    display = WeightsDisplay(coef=np.zeros((3, 4)), display_labels=[0, 1, 2]).plot()
    assert {image.get_clim() for image in display.images_[0]} == {(-1.0, 1.0)}


def test_one_axes_per_panel_and_no_colorbar():
    figure = Figure()
    ax = figure.subplots(1, 3)
    display = WeightsDisplay(coef=np.ones((2, 4)), display_labels=["a", "b"]).plot(
        ax=ax, colorbar=False
    )
    assert display.bounding_ax_ is None and display.colorbar_ is None
    assert display.figure_ is figure and display.axes_.shape == (3,)
    assert [a.get_title() for a in ax[:2]] == ["a", "b"]
    assert not ax[2].axison  # the spare one is left blank
    assert len(figure.axes) == 3


def test_one_axes_is_split_into_panels_once():
    ax = Figure().add_subplot()
    display = WeightsDisplay(coef=np.ones((3, 4)), display_labels=[0, 1, 2])
    display.plot(ax=ax)
    assert display.bounding_ax_ is ax and display.axes_.shape == (1, 3)
    with pytest.raises(ValueError, match="already split"):
        display.plot(ax=ax)


@pytest.mark.parametrize(
    ("arguments", "ax", "message"),
    [
        ({"coef": np.ones((2, 10)), "display_labels": [0, 1]}, None, "image_shape"),
        (
            {"coef": np.ones((2, 12)), "display_labels": [0, 1], "image_shape": (3, 5)},
            None,
            "image_shape",
        ),
        ({"coef": np.ones((3, 4)), "display_labels": [0, 1]}, None, "display_labels"),
        ({"coef": np.ones((1, 4)), "display_labels": [0, 1, 2]}, None, "3 labels"),
        ({"coef": np.ones((2, 2, 4)), "display_labels": [0, 1]}, None, "coef"),
        ({"coef": np.full((2, 4), np.nan), "display_labels": [0, 1]}, None, "finite"),
        ({"coef": np.ones((3, 4)), "display_labels": [0, 1, 2]}, "two", "ax must"),
        ({"coef": np.ones((3, 4)), "display_labels": [0, 1, 2]}, "axes", "subplot"),
    ],
)
def test_bad_weight_inputs(arguments, ax, message):
    if ax == "two":
        ax = Figure().subplots(1, 2)
    elif ax == "axes":
        ax = Figure().add_axes((0, 0, 1, 1))
    with pytest.raises(ValueError, match=message):
        WeightsDisplay(**arguments).plot(ax=ax)


# -------------------------------------------------------------- misclassified


def _labelled_images(n_samples=40):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(n_samples, 64), dtype=np.uint8)
    y_true = rng.integers(0, 10, size=n_samples)
    y_pred = y_true.copy()
    wrong = np.arange(3, n_samples, 4)
    y_pred[wrong] = (y_true[wrong] + 1) % 10
    return images, y_true, y_pred, wrong


def test_gallery_shows_only_the_mistakes_in_order():
    images, y_true, y_pred, wrong = _labelled_images()
    display = MisclassifiedDigitsDisplay.from_predictions(y_true, y_pred, images=images)
    np.testing.assert_array_equal(display.misclassified_, wrong)
    panels = _image_panels(display)
    assert len(panels) == wrong.size == 10
    assert [ax.get_title() for ax in panels] == [
        f"true {y_true[i]} / pred {y_pred[i]}" for i in wrong
    ]
    for ax, index in zip(panels, wrong, strict=True):
        np.testing.assert_array_equal(
            ax.images[0].get_array(), images[index].reshape(8, 8)
        )
    assert display.figure_.get_suptitle() == "Misclassified digits: 10 of 40"


def test_gallery_respects_max_images():
    images, y_true, y_pred, wrong = _labelled_images()
    display = MisclassifiedDigitsDisplay.from_predictions(
        y_true, y_pred, images=images.reshape(-1, 8, 8), max_images=4
    )
    panels = _image_panels(display)
    assert len(panels) == 4
    expected = f"true {y_true[wrong[3]]} / pred {y_pred[wrong[3]]}"
    assert panels[-1].get_title() == expected
    heading = "Misclassified digits: 10 of 40 (first 4 shown)"
    assert display.figure_.get_suptitle() == heading


def test_gallery_from_an_estimator_uses_its_predictions(digits):
    X, y = digits
    model = GDLogisticRegression(max_iter=3).fit(X, y)
    display = MisclassifiedDigitsDisplay.from_estimator(model, X, y)
    wrong = np.flatnonzero(model.predict(X) != y)
    np.testing.assert_array_equal(display.misclassified_, wrong)


def test_gallery_without_mistakes_says_so():
    images, y_true, _, _ = _labelled_images()
    display = MisclassifiedDigitsDisplay.from_predictions(y_true, y_true, images=images)
    assert _image_panels(display) == []
    (panel,) = display.axes_.ravel()
    assert [text.get_text() for text in panel.texts] == ["no misclassified digits"]


def test_a_gallery_drawn_in_given_axes_leaves_the_figure_title_alone():
    images, y_true, y_pred, _ = _labelled_images()
    figure = Figure()
    MisclassifiedDigitsDisplay.from_predictions(
        y_true, y_pred, images=images, ax=figure.add_subplot()
    )
    assert figure.get_suptitle() == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"y_pred": np.zeros(39)}, "y_pred"),
        ({"y_true": np.zeros((40, 1))}, "y_true"),
        ({"images": np.zeros(40)}, "images"),
        ({"images": np.zeros((40, 10))}, "image_shape"),
        ({"max_images": 0}, "max_images"),
        ({"max_images": 2.5}, "max_images"),
    ],
)
def test_bad_gallery_inputs(change, message):
    images, y_true, y_pred, _ = _labelled_images()
    arguments = {"images": images, "y_true": y_true, "y_pred": y_pred} | change
    y_true, y_pred = arguments.pop("y_true"), arguments.pop("y_pred")
    with pytest.raises(ValueError, match=message):
        MisclassifiedDigitsDisplay.from_predictions(y_true, y_pred, **arguments)


# ------------------------------------------------------------------- imports


def test_missing_matplotlib_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "skdigit\[cli\]"'):
        LossCurveDisplay(loss_curve=[0.5]).plot()


def test_importing_skdigit_does_not_import_matplotlib_or_pillow():
    code = (
        "import sys, skdigit, skdigit._plot, skdigit._images; "
        "print(sorted(m for m in ('matplotlib', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
