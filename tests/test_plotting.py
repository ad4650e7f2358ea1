"""Tests for skdigit._plotting: figures of a fitted model, and saving them."""

import os
import stat
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from skdigit._plotting import (
    plot_loss_curve,
    plot_misclassified,
    plot_weight_images,
    save_figure,
)


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]


# ----------------------------------------------------------------------- loss


def test_single_loss_curve():
    curve = [0.69, 0.5, 0.42, 0.39, 0.37]
    fig = plot_loss_curve(curve)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    (line,) = ax.get_lines()
    # x is the iteration number the notebook prints, starting at 0.
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2, 3, 4])
    np.testing.assert_allclose(line.get_ydata(), curve)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("iteration", "mean log-loss")
    assert ax.get_yscale() == "linear"
    assert [text.get_text() for text in ax.texts] == ["final: 0.37"]


def test_several_curves_get_a_legend_with_their_final_loss():
    curves = {"lr=0.01": [0.69, 0.6], "lr=1": [0.69, 0.2, 0.05]}
    fig = plot_loss_curve(curves, title="Learning rates")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["lr=0.01 (final 0.6)", "lr=1 (final 0.05)"]
    assert ax.get_title() == "Learning rates"
    # 0.69 down to 0.05 spans more than a decade.
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize(("log_scale", "expected"), [(True, "log"), (False, "linear")])
def test_log_scale_can_be_forced(log_scale, expected):
    fig = plot_loss_curve([0.69, 0.001], log_scale=log_scale)
    assert fig.axes[0].get_yscale() == expected


def test_diverging_curve_reports_its_last_finite_loss():
    fig = plot_loss_curve({"lr=100": [0.69, 30.0, np.inf, np.nan]})
    ax = fig.axes[0]
    assert ax.get_legend().get_texts()[0].get_text() == "lr=100 (final 30)"
    assert ax.get_yscale() == "log"


def test_drawing_into_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_loss_curve([0.7, 0.5], ax=ax) is fig
    assert len(ax.get_lines()) == 1


@pytest.mark.parametrize(
    ("loss_curve", "message"),
    [([], "loss_curve"), ([[0.5, 0.4]], "loss_curve"), ({}, "loss_curve")],
)
def test_bad_loss_curves(loss_curve, message):
    with pytest.raises(ValueError, match=message):
        plot_loss_curve(loss_curve)


def test_bad_log_scale():
    with pytest.raises(ValueError, match="log_scale"):
        plot_loss_curve([0.5], log_scale="yes")


# -------------------------------------------------------------------- weights


def test_weight_images_one_panel_per_class_with_a_shared_symmetric_scale():
    rng = np.random.default_rng(0)
    coef = rng.normal(size=(10, 784))
    coef[3, 5] = 9.0  # the largest weight sets the scale of every panel
    fig = plot_weight_images(coef, np.arange(10))
    panels = _image_axes(fig)
    assert len(panels) == 10
    assert [ax.get_title() for ax in panels] == [str(k) for k in range(10)]
    for ax, weights in zip(panels, coef, strict=True):
        (image,) = ax.images
        assert image.get_clim() == (-9.0, 9.0)
        np.testing.assert_array_equal(image.get_array(), weights.reshape(28, 28))
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    # Plus exactly one colour bar.
    assert len(fig.axes) == 11


def test_weight_images_for_a_binary_problem_show_the_positive_class():
    coef = np.linspace(-1, 3, 64)[np.newaxis, :]
    fig = plot_weight_images(coef, np.array([0, 7]))
    (ax,) = _image_axes(fig)
    assert ax.get_title() == "positive class: 7"
    (image,) = ax.images
    assert image.get_array().shape == (8, 8)
    assert image.get_clim() == (-3.0, 3.0)


def test_weight_images_with_an_explicit_shape():
    fig = plot_weight_images(np.ones((2, 12)), ["a", "b"], image_shape=(3, 4))
    assert [ax.images[0].get_array().shape for ax in _image_axes(fig)] == [(3, 4)] * 2


def test_all_zero_weights_still_plot():
    fig = plot_weight_images(np.zeros((3, 4)), [0, 1, 2])
    lows, highs = zip(
        *(ax.images[0].get_clim() for ax in _image_axes(fig)), strict=True
    )
    assert set(lows) == {-1.0} and set(highs) == {1.0}


@pytest.mark.parametrize(
    ("coef", "classes", "kwargs", "message"),
    [
        (np.ones((2, 10)), [0, 1], {}, "image_shape"),
        (np.ones((2, 12)), [0, 1], {"image_shape": (3, 5)}, "image_shape"),
        (np.ones((3, 4)), [0, 1], {}, "classes"),
        (np.ones((1, 4)), [0, 1, 2], {}, "classes"),
        (np.ones((2, 2, 4)), [0, 1], {}, "coef"),
        (np.full((2, 4), np.nan), [0, 1], {}, "coef"),
    ],
)
def test_bad_weight_inputs(coef, classes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_weight_images(coef, classes, **kwargs)


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
    fig = plot_misclassified(images, y_true, y_pred)
    panels = _image_axes(fig)
    assert len(panels) == wrong.size == 10
    assert [ax.get_title() for ax in panels] == [
        f"true {y_true[i]} / pred {y_pred[i]}" for i in wrong
    ]
    for ax, index in zip(panels, wrong, strict=True):
        np.testing.assert_array_equal(
            ax.images[0].get_array(), images[index].reshape(8, 8)
        )
    assert fig.get_suptitle() == "Misclassified digits: 10 of 40"


def test_gallery_respects_max_images():
    images, y_true, y_pred, wrong = _labelled_images()
    fig = plot_misclassified(images.reshape(-1, 8, 8), y_true, y_pred, max_images=4)
    panels = _image_axes(fig)
    assert len(panels) == 4
    assert (
        panels[-1].get_title() == f"true {y_true[wrong[3]]} / pred {y_pred[wrong[3]]}"
    )
    assert fig.get_suptitle() == "Misclassified digits: 10 of 40 (first 4 shown)"


def test_gallery_without_mistakes_says_so():
    images, y_true, _, _ = _labelled_images()
    fig = plot_misclassified(images, y_true, y_true)
    assert _image_axes(fig) == []
    assert [text.get_text() for text in fig.axes[0].texts] == [
        "no misclassified digits"
    ]


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
    max_images = arguments.pop("max_images", 25)
    with pytest.raises(ValueError, match=message):
        plot_misclassified(**arguments, max_images=max_images)


# --------------------------------------------------------------------- saving


def test_save_figure_writes_a_png_and_no_temporary_file(tmp_path):
    fig = plot_loss_curve([0.7, 0.4, 0.3])  # 6.4 x 4.0 inches
    path = save_figure(fig, tmp_path / "loss.png", dpi=50)
    assert path == tmp_path / "loss.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (320, 200)
    assert os.listdir(tmp_path) == ["loss.png"]


def test_save_figure_respects_the_umask(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = save_figure(plot_loss_curve([0.7]), tmp_path / "loss.png", dpi=20)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_save_figure_replaces_an_old_file(tmp_path):
    path = tmp_path / "weights.png"
    path.write_bytes(b"old")
    save_figure(plot_weight_images(np.eye(4), [0, 1, 2, 3]), str(path), dpi=20)
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_failed_save_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "loss.png"
    path.write_bytes(b"old")
    fig = plot_loss_curve([0.7, 0.4])

    def broken_savefig(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken_savefig)
    with pytest.raises(RuntimeError, match="disk full"):
        save_figure(fig, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["loss.png"]


def test_save_figure_format_follows_the_suffix(tmp_path):
    path = save_figure(plot_loss_curve([0.7, 0.4]), tmp_path / "loss.svg")
    assert b"<svg" in path.read_bytes()[:500]


def test_save_figure_errors(tmp_path):
    fig = plot_loss_curve([0.7, 0.4])
    with pytest.raises(FileNotFoundError, match="missing"):
        save_figure(fig, tmp_path / "missing" / "loss.png")
    with pytest.raises(ValueError, match="format"):
        save_figure(fig, tmp_path / "loss.docx")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------- imports


def test_missing_matplotlib_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "skdigit\[cli\]"'):
        plot_loss_curve([0.5])


def test_importing_skdigit_does_not_import_matplotlib_or_pillow():
    code = (
        "import sys, skdigit, skdigit._plotting, skdigit._images; "
        "print(sorted(m for m in ('matplotlib', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
