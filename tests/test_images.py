"""Tests for skdigit._images: pictures of digits to MNIST-style 28x28 arrays."""

import gzip
import io
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from skdigit import load_digit_image


def _bounding_box(image):
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def _corr(a, b):
    return np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1]


def _best_shifted_corr(image, reference):
    """Correlation, allowing a shift of one pixel.

    A digit whose centre of mass falls exactly between two pixels may land one
    pixel either way (a tiny change such as JPEG noise can tip it), and for thin
    strokes that shift alone drops the plain correlation to about 0.6.
    """
    return max(
        _corr(np.roll(image, (dy, dx), axis=(0, 1)), reference)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def _paper_with_rectangle(ink=0, paper=255):
    """A 60x30 rectangle, dark on light, far off-centre in a 200x150 picture."""
    picture = np.full((200, 150), paper, dtype=np.uint8)
    picture[20:80, 100:130] = ink
    return picture


def _ring_picture(size=(120, 160), ink=(0, 0, 0), paper=(255, 255, 255), mode="RGB"):
    """A thick ring, like a handwritten zero, off-centre."""
    image = Image.new(mode, size, paper)
    ImageDraw.Draw(image).ellipse((20, 30, 70, 130), outline=ink, width=8)
    return image


def _assert_mnist_like(digit):
    assert digit.shape == (28, 28)
    assert digit.dtype == np.uint8
    assert digit.max() == 255
    # The background is black and the digit fits the 20x20 box, as in MNIST.
    assert digit[[0, -1], :].max() == 0 and digit[:, [0, -1]].max() == 0
    assert max(_bounding_box(digit)) == 20
    row, col = ndimage.center_of_mass(digit.astype(float))
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


# ----------------------------------------------------------------- synthetic shapes


def test_off_centre_rectangle_on_white_becomes_centred_bright_digit():
    digit = load_digit_image(_paper_with_rectangle())
    _assert_mnist_like(digit)
    # 60x30 keeps its 2:1 aspect ratio: 20x10.
    assert _bounding_box(digit) == (20, 10)
    assert digit[14, 14] == 255


def test_invert_auto_matches_the_forced_choice():
    dark_on_light = _paper_with_rectangle()
    light_on_dark = 255 - dark_on_light
    auto_dark = load_digit_image(dark_on_light)
    np.testing.assert_array_equal(
        auto_dark, load_digit_image(dark_on_light, invert=True)
    )
    np.testing.assert_array_equal(auto_dark, load_digit_image(light_on_dark))
    np.testing.assert_array_equal(
        auto_dark, load_digit_image(light_on_dark, invert=False)
    )


@pytest.mark.parametrize("invert", [False, True])
def test_forcing_the_wrong_polarity_leaves_no_digit(invert):
    # Forced the wrong way, the digit is darker than the background, which is
    # subtracted, so nothing is left.
    picture = _paper_with_rectangle() if not invert else 255 - _paper_with_rectangle()
    with pytest.raises(ValueError, match="contains no digit"):
        load_digit_image(picture, invert=invert)


@pytest.mark.parametrize("invert", ["yes", None, 1])
def test_bad_invert_is_rejected(invert):
    with pytest.raises(ValueError, match="invert"):
        load_digit_image(_paper_with_rectangle(), invert=invert)


def test_grey_paper_and_grey_ink_like_a_dim_photo():
    clean = load_digit_image(_paper_with_rectangle())
    dim = load_digit_image(_paper_with_rectangle(ink=60, paper=150))
    np.testing.assert_array_equal(dim, clean)


def test_float_bool_and_uint8_arrays_agree():
    picture = _paper_with_rectangle()
    expected = load_digit_image(picture)
    np.testing.assert_array_equal(load_digit_image(picture / 255.0), expected)
    np.testing.assert_array_equal(load_digit_image(picture.astype(float)), expected)
    np.testing.assert_array_equal(load_digit_image(picture == 0), expected)
    np.testing.assert_array_equal(load_digit_image(picture.tolist()), expected)


def test_tiny_digit_is_enlarged_to_the_box():
    picture = np.zeros((50, 50))
    picture[10:14, 30:32] = 1.0  # a 4x2 speck
    digit = load_digit_image(picture)
    assert _bounding_box(digit) == (20, 10)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((4, 5, 3)), "2-D"),
        (np.zeros(10), "2-D"),
        (np.full((5, 5), 300.0), r"\[0, 255\]"),
        (np.full((5, 5), -1), r"\[0, 255\]"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), "finite"),
        (np.array([["a", "b"]]), "numbers"),
    ],
)
def test_bad_arrays_name_the_parameter(array, message):
    with pytest.raises(ValueError, match=message) as info:
        load_digit_image(array)
    assert "source" in str(info.value)


def test_blank_array_is_an_error():
    with pytest.raises(ValueError, match=r"contains no digit \(the image is blank"):
        load_digit_image(np.full((40, 40), 255, dtype=np.uint8))


# ---------------------------------------------------------------------- files


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_png_and_jpeg_files_by_path_and_file_object(tmp_path, suffix):
    path = tmp_path / f"zero{suffix}"
    _ring_picture().save(path)
    reference = load_digit_image(np.asarray(_ring_picture().convert("L")))

    from_path = load_digit_image(path)
    _assert_mnist_like(from_path)
    np.testing.assert_array_equal(load_digit_image(str(path)), from_path)
    with open(path, "rb") as file:
        np.testing.assert_array_equal(load_digit_image(file), from_path)
    # JPEG's compression noise must not change the picture noticeably.
    assert _best_shifted_corr(from_path, reference) > 0.98


def test_rgba_with_transparent_background_is_paper(tmp_path):
    path = tmp_path / "drawn.png"
    _ring_picture(ink=(0, 0, 0, 255), paper=(0, 0, 0, 0), mode="RGBA").save(path)
    digit = load_digit_image(path)
    expected = load_digit_image(np.asarray(_ring_picture().convert("L")))
    np.testing.assert_array_equal(digit, expected)


def test_white_digit_on_transparent_background_is_not_lost(tmp_path):
    path = tmp_path / "chalk.png"
    _ring_picture(ink=(255, 255, 255, 255), paper=(0, 0, 0, 0), mode="RGBA").save(path)
    expected = load_digit_image(np.asarray(_ring_picture().convert("L")))
    np.testing.assert_array_equal(load_digit_image(path), expected)


def test_sixteen_bit_png_is_rescaled_not_clipped(tmp_path):
    path = tmp_path / "deep.png"
    picture = _paper_with_rectangle().astype(np.uint16) * 257
    Image.fromarray(picture).save(path)
    np.testing.assert_array_equal(
        load_digit_image(path), load_digit_image(_paper_with_rectangle())
    )


def test_exif_rotation_of_photos_is_applied(tmp_path):
    path = tmp_path / "photo.jpg"
    # Stored wide, but tagged "rotate 90 degrees": the digit is really tall.
    wide = Image.fromarray(_paper_with_rectangle().T.copy())
    exif = Image.Exif()
    exif[0x0112] = 6
    wide.save(path, exif=exif)
    assert _bounding_box(load_digit_image(path)) == (20, 10)


def test_blank_file_error_names_the_file(tmp_path):
    path = tmp_path / "empty_page.png"
    Image.new("L", (50, 50), 255).save(path)
    with pytest.raises(ValueError, match="contains no digit") as info:
        load_digit_image(path)
    assert "empty_page.png" in str(info.value)


@pytest.mark.parametrize(
    "content", [b"these are my notes, not a picture\n", b"\x89PNG\r\n\x1a\n\0\0"]
)
def test_file_that_is_not_an_image(tmp_path, content):
    path = tmp_path / "notes.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a readable PNG/JPG image") as info:
        load_digit_image(path)
    assert "notes.png" in str(info.value)


def test_file_object_that_is_not_an_image():
    with pytest.raises(ValueError, match="not a readable PNG/JPG image"):
        load_digit_image(io.BytesIO(b"plain text"))


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "seven.png"
    with pytest.raises(FileNotFoundError, match=r"seven\.png"):
        load_digit_image(path)


def test_folder_is_not_an_image(tmp_path):
    with pytest.raises(IsADirectoryError, match="folder"):
        load_digit_image(tmp_path)


def test_missing_pillow_gives_the_install_hint(tmp_path, monkeypatch):
    path = tmp_path / "zero.png"
    _ring_picture().save(path)
    monkeypatch.setitem(sys.modules, "PIL", None)
    for source in (path, _paper_with_rectangle()):
        with pytest.raises(ImportError, match=r'pip install "skdigit\[cli\]"'):
            load_digit_image(source)


# ----------------------------------------------------------------- real MNIST

# The comparison allows a one-pixel shift (see _best_shifted_corr). Measured over
# the first 1000 t10k digits: as-is PNG round trips score at least 0.998; inverted,
# scaled x4, off-centre pages at least 0.85 as PNG and 0.87 as JPEG (mean 0.978);
# the worst ones differ from the original only by sub-pixel stroke placement.
N_REAL_DIGITS = 20


@pytest.fixture(scope="module")
def mnist_digits(mnist_file):
    path = mnist_file("t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as file:
        header_and_pixels = file.read(16 + N_REAL_DIGITS * 28 * 28)
    return np.frombuffer(header_and_pixels, dtype=np.uint8, offset=16).reshape(
        -1, 28, 28
    )


def test_real_mnist_digits_round_trip_as_is(tmp_path, mnist_digits):
    plain = []
    for index, original in enumerate(mnist_digits):
        path = tmp_path / f"digit{index}.png"
        Image.fromarray(original).save(path)
        digit = load_digit_image(path)
        assert _best_shifted_corr(digit, original) > 0.99
        plain.append(_corr(digit, original))
    # Most are reproduced exactly, without any shift.
    assert np.median(plain) > 0.999


def test_real_mnist_digits_inverted_scaled_off_centre(tmp_path, mnist_digits):
    scores = []
    for index, original in enumerate(mnist_digits):
        # Black ink on white paper, four times larger, off-centre on a 180x160 page.
        ink = Image.fromarray(255 - original).resize(
            (112, 112), Image.Resampling.BICUBIC
        )
        page = Image.new("L", (180, 160), 255)
        page.paste(ink, (60, 5))
        path = tmp_path / f"scan{index}.jpg"
        page.save(path, quality=90)
        scores.append(_best_shifted_corr(load_digit_image(path), original))
    assert min(scores) > 0.8
    assert np.mean(scores) > 0.95
