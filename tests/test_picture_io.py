"""Tests for skdigit._picture_io: reading picture files (and arrays) into grey
levels, safely: raster formats only, every decoding failure a DigitImageError
naming the file, the same value checks for pictures as for arrays.
"""

import io
import os
import stat
import sys
import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw

from skdigit import DigitImageError, NoDigitError, load_digit_image, prepare_digit

# The formats read, each with a file suffix and the mode it is saved from.
READ_FORMATS = {
    "PNG": ".png",
    "JPEG": ".jpg",
    "GIF": ".gif",
    "BMP": ".bmp",
    "TIFF": ".tif",
    "WEBP": ".webp",
    "PPM": ".ppm",
}
# Formats Pillow can write but skdigit refuses to read (with their suffixes).
REFUSED_FORMATS = {
    "EPS": ".eps",
    "PDF": ".pdf",
    "DDS": ".dds",
    "BLP": ".blp",
    "IM": ".im",
    "XBM": ".xbm",
    "SGI": ".sgi",
    "JPEG2000": ".jp2",
    "TGA": ".tga",
    "PCX": ".pcx",
    "ICO": ".ico",
    "QOI": ".qoi",
}


def _ring(mode="RGB"):
    """A thick dark ring on white, like a handwritten zero."""
    image = Image.new("RGB", (120, 160), "white")
    ImageDraw.Draw(image).ellipse((20, 30, 70, 130), outline="black", width=8)
    return image.convert(mode)


def _saved(image, format, path):
    mode = {"XBM": "1", "BLP": "P"}.get(format, image.mode)
    image.convert(mode).save(path, format=format)
    return path


def _float_tiff(tmp_path, values, name="float.tif"):
    path = tmp_path / name
    Image.fromarray(np.asarray(values, dtype=np.float32), mode="F").save(path)
    return path


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("format", sorted(READ_FORMATS))
def test_every_raster_format_read_gives_the_same_digit(tmp_path, format):
    expected = load_digit_image(np.asarray(_ring("L")))
    path = _saved(_ring(), format, tmp_path / f"zero{READ_FORMATS[format]}")
    digit = load_digit_image(path)
    # Lossy formats (JPEG, WebP) change a few grey levels at the edges, and can
    # tip the centring of this symmetric ring, whose centre of mass falls halfway
    # between two pixels, by one pixel.
    assert _nearest_shift_difference(digit, expected) < 4


def _nearest_shift_difference(digit, expected):
    """The mean absolute difference of two digits, the nearer by a one-pixel shift."""
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    return min(
        np.abs(np.roll(digit.astype(int), shift, axis=(0, 1)) - expected).mean()
        for shift in shifts
    )


@pytest.mark.filterwarnings("ignore:IM image format is deprecated:DeprecationWarning")
@pytest.mark.parametrize("format", sorted(REFUSED_FORMATS))
def test_other_formats_are_refused_naming_the_file_and_the_formats(tmp_path, format):
    """Issue 17, M5 and Low 12: only plain raster formats are opened."""
    path = tmp_path / "zero.png"  # the name says PNG; the content decides
    try:
        _saved(_ring(), format, path)
    except (OSError, KeyError, ValueError) as exc:  # no encoder in this Pillow
        pytest.skip(f"Pillow cannot write {format}: {exc}")
    with pytest.raises(DigitImageError) as info:
        load_digit_image(path)
    message = str(info.value)
    assert f"cannot read '{path}' as a picture" in message
    assert "PNG, JPEG, GIF, BMP, TIFF, WebP or PNM" in message
    assert info.value.path == str(path)


def _fake_ghostscript(tmp_path, monkeypatch):
    """A ``gs`` first on PATH that leaves a marker file when it is run."""
    import PIL.EpsImagePlugin

    folder = tmp_path / "bin"
    folder.mkdir()
    marker = tmp_path / "gs-was-run"
    script = folder / "gs"
    script.write_text(f"#!/bin/sh\necho run >> '{marker}'\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    # Pillow remembers whether it found Ghostscript; make it look again.
    monkeypatch.setattr(PIL.EpsImagePlugin, "gs_binary", None)
    return marker


EPS = b"""%!PS-Adobe-3.0 EPSF-3.0
%%BoundingBox: 0 0 40 60
newpath 10 10 moveto 30 50 lineto 8 setlinewidth stroke
showpage
%%EOF
"""


@pytest.mark.skipif(sys.platform.startswith("win"), reason="a POSIX shell script")
def test_postscript_named_png_never_reaches_ghostscript(tmp_path, monkeypatch):
    """Issue 17, M5: EPS content named x.png was handed to ``gs``."""
    marker = _fake_ghostscript(tmp_path, monkeypatch)
    path = tmp_path / "x.png"
    path.write_bytes(EPS)
    with pytest.raises(DigitImageError, match=r"cannot read '.*x\.png' as a picture"):
        load_digit_image(path)
    with pytest.raises(DigitImageError):
        load_digit_image(io.BytesIO(EPS))
    assert not marker.exists()


# ------------------------------------------------------- damaged pictures


def _damaged(data, how):
    middle = len(data) // 2
    if how == "truncated":
        return data[:middle]
    if how == "header only":
        return data[:32]
    if how == "zeroed middle":
        return data[:middle] + bytes(len(data) - middle)
    # Every 7th byte after the first 16 flipped.
    flipped = bytearray(data)
    for i in range(16, len(flipped), 7):
        flipped[i] ^= 0xFF
    return bytes(flipped)


def test_damaged_files_of_every_format_give_a_digit_or_a_digit_image_error(
    tmp_path,
):
    """Issue 17, Low 12: every decoding failure is a DigitImageError."""
    outcomes = {}
    for format, suffix in READ_FORMATS.items():
        buffer = io.BytesIO()
        _saved(_ring(), format, buffer)
        for how in ("truncated", "header only", "zeroed middle", "flipped"):
            path = tmp_path / f"{format}-{how.replace(' ', '-')}{suffix}"
            path.write_bytes(_damaged(buffer.getvalue(), how))
            try:
                with warnings.catch_warnings():
                    # Pillow's warnings about the damage never reach the user.
                    warnings.simplefilter("error")
                    digit = load_digit_image(path)
            except NoDigitError:
                outcomes[path.name] = "no digit"
            except DigitImageError as exc:
                assert exc.path == str(path)
                assert f"cannot read '{path}' as a picture" in str(exc)
                outcomes[path.name] = "refused"
            else:
                assert digit.shape == (28, 28) and digit.dtype == np.uint8
                outcomes[path.name] = "read"
    # A file cut in half or to its header is refused in every format.
    refused = {name for name, outcome in outcomes.items() if outcome == "refused"}
    assert all(
        f"{format}-header-only{suffix}" in refused
        for format, suffix in READ_FORMATS.items()
    )


@pytest.mark.parametrize(
    "failure",
    [
        NotImplementedError("unsupported compression"),
        ValueError("buffer is not large enough"),
        IndexError("tuple index out of range"),
        SyntaxError("not a TIFF file"),
        OSError("broken data stream"),
    ],
)
def test_any_decoder_failure_is_wrapped(tmp_path, monkeypatch, failure):
    from PIL import ImageFile

    path = _saved(_ring(), "PNG", tmp_path / "x.gif")

    def fail(image):
        raise failure

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    with pytest.raises(DigitImageError) as info:
        load_digit_image(path)
    assert str(info.value).startswith(f"cannot read '{path}' as a picture: ")
    assert str(failure) in str(info.value)
    assert info.value.__cause__ is failure


# --------------------------------------------------------- grey levels


def test_float_picture_with_nan_is_refused_naming_the_file(tmp_path):
    """Issue 17, Low 6: NaN pixels gave an error from deep inside, no file name."""
    values = np.zeros((60, 40))
    values[10:50, 15:22] = 1.0
    values[0, 0] = np.nan
    path = _float_tiff(tmp_path, values, "nan.tif")
    with pytest.raises(DigitImageError, match="not finite numbers") as info:
        load_digit_image(path)
    assert f"'{path}'" in str(info.value)


def test_float_picture_out_of_range_is_refused_not_rescaled(tmp_path):
    """Issue 17, Low 6: a block of 1e30 was read as a confident digit."""
    values = np.zeros((60, 40))
    values[20:30, 15:25] = 1e30
    path = _float_tiff(tmp_path, values, "huge.tif")
    with pytest.raises(DigitImageError, match=r"values from 0 to 1e\+30") as info:
        load_digit_image(path)
    assert "[0, 255]" in str(info.value) and f"'{path}'" in str(info.value)


def test_one_stray_pixel_out_of_range_is_seen_in_a_large_picture(tmp_path):
    # Shrinking would average it away; the check is made at full size.
    values = np.zeros((1500, 1000))
    values[200:1300, 400:600] = 200.0
    values[7, 7] = 256.0
    with pytest.raises(DigitImageError, match="values from 0 to 256"):
        load_digit_image(_float_tiff(tmp_path, values))


def test_float_pictures_follow_the_rule_for_float_arrays(tmp_path):
    ink = np.zeros((60, 40))
    ink[10:50, 15:22] = 1.0
    expected = load_digit_image(ink)
    # Floats all in [0, 1] are on that scale; otherwise on 0-255.
    unit = _float_tiff(tmp_path, ink, "unit.tif")
    np.testing.assert_array_equal(load_digit_image(unit), expected)
    scaled = _float_tiff(tmp_path, ink * 255.0, "scaled.tif")
    np.testing.assert_array_equal(load_digit_image(scaled), expected)


def test_thirty_two_bit_integer_pictures_are_on_the_16_bit_scale(tmp_path):
    """Issue 17, Low 6: 32-bit TIFFs were divided by 257 unchecked."""
    ink = np.zeros((60, 40), dtype=np.int32)
    ink[10:50, 15:22] = 65535
    path = tmp_path / "deep.tif"
    Image.fromarray(ink, mode="I").save(path)
    np.testing.assert_array_equal(
        load_digit_image(path), load_digit_image((ink > 0).astype(np.uint8) * 255)
    )
    for low, high in ((0, 65536), (-1, 65535)):
        ink[0, 0], ink[-1, -1] = low, high
        Image.fromarray(ink, mode="I").save(path)
        with pytest.raises(DigitImageError, match="16-bit scale") as info:
            load_digit_image(path)
        assert f"from {low} to {high}" in str(info.value)


# Pillow's names of the 16-bit layouts, as NumPy dtypes.
_ORDER = {"I;16": "<u2", "I;16B": ">u2"}


@pytest.mark.parametrize("layout", sorted(_ORDER))
def test_sixteen_bit_pictures_of_either_byte_order(tmp_path, layout):
    ink = np.zeros((60, 40), dtype=np.uint16)
    ink[10:50, 15:22] = 65535
    picture = Image.frombytes(layout, (40, 60), ink.astype(_ORDER[layout]).tobytes())
    path = tmp_path / "deep.tif"
    picture.save(path)
    with Image.open(path) as saved:
        assert saved.mode == layout
    np.testing.assert_array_equal(
        load_digit_image(path), load_digit_image((ink > 0).astype(np.uint8) * 255)
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e30, -0.5, 256.0], ids=str)
def test_arrays_get_the_same_checks_naming_the_parameter(bad):
    values = np.zeros((30, 30))
    values[5:25, 12:16] = 200.0
    values[0, 0] = bad
    levels = r" must hold grey levels in \[0, 255\]"
    with pytest.raises(ValueError, match="^grey" + levels):
        prepare_digit(values)
    with pytest.raises(ValueError, match="^source" + levels):
        load_digit_image(values)


def test_empty_array_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="grey must be a non-empty array"):
        prepare_digit(np.zeros((0, 5)))


# ------------------------------------------------------------- not files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_folder_and_device_are_refused_without_blocking(tmp_path):
    """Issue 17, Low 17: opening a FIFO with no writer blocks forever."""
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match=r"'.*pipe\.png' is not a regular file"):
        load_digit_image(fifo)
    with pytest.raises(IsADirectoryError, match="is a folder, not an image file"):
        load_digit_image(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(OSError, match="not a regular file"):
            load_digit_image("/dev/zero")
