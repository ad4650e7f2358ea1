"""Read a user's picture of a digit into an array of grey levels.

A picture file (a path or a binary file object) is decoded with Pillow, in plain
raster formats only, within limits on its bytes and pixels, and shrunk early
(JPEG decoding at a reduced scale, integer box reduction) so that large photos
cost little time and memory; colour becomes grey, transparent areas paper, and
pictures of more than 8 bits are put on the 0-255 scale by a fixed rule, their
values checked as an array's are. Whatever goes wrong while decoding is a
:class:`DigitImageError` naming the file. Making an MNIST digit of the result is
:mod:`skdigit._images`'s concern.
"""

import io
import math
import os
import warnings
from pathlib import Path

import numpy as np

from ._files import open_input_file
from ._optional import import_optional

__all__ = ["DigitImageError", "ImageTooLargeError", "read_picture"]

# Decoding limits. 100 million pixels (10000 x 10000) is above any phone photo in
# its usual mode; 100 MB is above any such photo's file.
MAX_IMAGE_PIXELS = 100_000_000
MAX_IMAGE_BYTES = 100_000_000

# The formats Pillow may open: plain raster formats, decoded by Pillow itself or
# the libraries it links. Pillow would otherwise also open PostScript and EPS by
# running Ghostscript, and dozens of rare formats whose decoders fail in odd
# ways on damaged files. "JPEG" includes the multi-picture JPEGs of some phones.
_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "PPM")
_FORMAT_NAMES = "a PNG, JPEG, GIF, BMP, TIFF, WebP or PNM (PBM, PGM, PPM) image"

# What pictures and arrays must hold.
_LEVELS = "grey levels in [0, 255] (floats may instead all lie in [0, 1])"

# Pictures are shrunk (by area averaging) to at most this many pixels on their
# longer side before any work: a digit filling a third of the frame still spans
# 200 pixels, ten times the 20 pixels it ends up in.
WORK_SIDE = 640


class DigitImageError(ValueError):
    """A picture that cannot be made into an MNIST-style digit.

    Raised for files that are not pictures in a format read (PNG, JPEG, GIF,
    BMP, TIFF, WebP, PNM), are damaged or truncated, or hold values off their
    grey scale (NaN, infinity, out of range), whatever the decoder's own error
    was; its subclasses say why otherwise.

    Parameters
    ----------
    message : str
        What went wrong, naming the picture.
    path : str or None, default=None
        The file, or None when the picture was an array or a file object
        without a name.

    Attributes
    ----------
    path : str or None
        The file, or None when the picture was an array or an unnamed file object.

    Examples
    --------
    >>> import io
    >>> from skdigit import DigitImageError, load_digit_image
    >>> try:
    ...     load_digit_image(io.BytesIO(b"not a picture"))
    ... except DigitImageError as exc:
    ...     print(exc.path)
    None
    """

    def __init__(self, message, *, path=None):
        super().__init__(message)
        self.path = path


class ImageTooLargeError(DigitImageError):
    r"""A picture over the decoding limits: too many pixels or bytes.

    Checked before the pixels are decoded, so that a small file declaring a huge
    picture (a "decompression bomb") fails at once and costs no memory.

    Parameters
    ----------
    message : str
        What went wrong, naming the picture and the limit.
    path : str or None
        The file, or None for an unnamed file object.
    unit : {"pixels", "bytes"}
        Which limit was exceeded.
    found : int or None
        The file's size or the number of pixels it declares; None when Pillow's
        own decompression-bomb guard refused the file before saying its size
        (more than ``2 * PIL.Image.MAX_IMAGE_PIXELS``, which is above ``limit``).
    limit : int
        The limit that was exceeded.

    Attributes
    ----------
    path : str or None
        The file, or None for an unnamed file object.
    unit : {"pixels", "bytes"}
        Which limit was exceeded.
    found : int or None
        The size found, in ``unit``; None when only a lower bound is known.
    limit : int
        The limit, in ``unit``.

    Examples
    --------
    A 65-byte PNG file that declares 100000 x 100000 pixels:

    >>> import io, struct, zlib
    >>> from skdigit import ImageTooLargeError, load_digit_image
    >>> def chunk(kind, data):
    ...     crc = struct.pack(">I", zlib.crc32(kind + data))
    ...     return struct.pack(">I", len(data)) + kind + data + crc
    >>> header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    >>> png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    ...        + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    >>> len(png)
    65
    >>> try:
    ...     load_digit_image(io.BytesIO(png))
    ... except ImageTooLargeError as exc:
    ...     print(exc.unit, exc.found, exc.limit)
    pixels None 100000000
    """

    def __init__(self, message, *, path, unit, found, limit):
        super().__init__(message, path=path)
        self.unit = unit
        self.found = found
        self.limit = limit


def read_picture(source, *, max_pixels, max_bytes):
    """Grey levels (floats in [0, 255]) of a path, a binary file object or an array.

    Returns
    -------
    grey : ndarray of shape (height, width), dtype float64
    name : str
        How error messages name the picture.
    path : str or None
        The file, or None for an array or an unnamed file object.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with open_input_file(path, "image file") as (file, size):
            if size > max_bytes:
                raise _too_large(str(path), "bytes", size, max_bytes)
            grey = _read_with_pillow(file, str(path), max_pixels)
        return grey, f"'{path}'", str(path)
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        path = name if isinstance(name, str) else None
        data = _read_at_most(source, max_bytes, path)
        grey = _read_with_pillow(data, path, max_pixels)
        return grey, _describe(path), path
    return array_to_grey(source, "source"), "the image array", None


def _describe(path):
    return f"'{path}'" if path is not None else "the image file object"


def _read_at_most(file, max_bytes, path):
    """The file object's bytes, refusing more than ``max_bytes``."""
    data = file.read(max_bytes + 1)
    if not isinstance(data, bytes):
        raise ValueError(
            f"{_describe(path)} must be opened in binary mode ('rb'); it gave "
            f"{type(data).__name__}"
        )
    if len(data) > max_bytes:
        raise _too_large(path, "bytes", None, max_bytes)
    return io.BytesIO(data)


def _too_large(path, unit, found, limit, *, setting=None):
    """The error for a file over a limit; ``found`` is None when only ``limit`` is
    known to be exceeded.
    """
    what = "file" if unit == "bytes" else "picture"
    setting = setting or ("max_bytes" if unit == "bytes" else "max_pixels")
    has = f"has {found:,} {unit}, over" if found is not None else "has more than"
    return ImageTooLargeError(
        f"{_describe(path)} is too large: the {what} {has} the limit of "
        f"{limit:,} {unit} ({setting}); use a smaller picture or raise {setting}",
        path=path,
        unit=unit,
        found=found,
        limit=limit,
    )


def import_pillow():
    import_optional("PIL", needed_for="reading pictures")
    from PIL import Image, ImageOps

    return Image, ImageOps


def _read_with_pillow(source, path, max_pixels):
    """Decode a picture file into float grey levels, shrunk for the work; every
    failure a DigitImageError naming the file.
    """
    Image, _ = import_pillow()
    name = _describe(path)
    try:
        with warnings.catch_warnings():
            # Pillow warns of damage it reads past (a TIFF tag beyond the file's
            # end, corrupt EXIF data): a file too damaged to read gets its one
            # error below, and the warnings would only add lines to it.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            return _decode(source, path, name, max_pixels)
    except (DigitImageError, MemoryError):
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own guard refused the file before saying its size: it has more
        # than twice Pillow's MAX_IMAGE_PIXELS.
        guard = 2 * Image.MAX_IMAGE_PIXELS
        if guard < max_pixels:
            raise _too_large(
                path, "pixels", None, guard, setting="PIL.Image.MAX_IMAGE_PIXELS"
            ) from exc
        raise _too_large(path, "pixels", None, max_pixels) from exc
    except Image.UnidentifiedImageError as exc:
        raise DigitImageError(
            f"cannot read {name} as a picture: it is not {_FORMAT_NAMES} (the "
            "formats read), or it is damaged; save it as PNG or JPEG",
            path=path,
        ) from exc
    except Exception as exc:
        # Pillow's decoders fail on damaged files with many exception types
        # (OSError, SyntaxError, ValueError, NotImplementedError, IndexError,
        # struct.error, ...): each means this file cannot be read.
        raise DigitImageError(
            f"cannot read {name} as a picture: it is damaged or truncated "
            f"({type(exc).__name__}: {exc})",
            path=path,
        ) from exc


def _decode(source, path, name, max_pixels):
    """Open, check and decode: float grey levels, at most WORK_SIDE wide."""
    _, ImageOps = import_pillow()
    with _open_checked(source, path, max_pixels) as image:
        # JPEG: decode at 1/2, 1/4 or 1/8 scale, still at least WORK_SIDE.
        image.draft(None, _draft_size(image.size))
        image.load()
        image = _on_grey_scale(image, name, path)
        image = _reduce(_reducible(image), WORK_SIDE)
        # Phone photos are often stored sideways with a rotation tag.
        image = ImageOps.exif_transpose(image)
        return _pillow_to_grey(image)


def _open_checked(source, path, max_pixels):
    """Open lazily (the header only), raster formats only, and check the
    declared size.
    """
    Image, _ = import_pillow()
    with warnings.catch_warnings():
        # Pillow warns from 89 million pixels; the limit here is max_pixels.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(source, formats=_FORMATS)
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise _too_large(path, "pixels", width * height, max_pixels)
    return image


def _draft_size(size):
    scale = max(size) / WORK_SIDE
    return (
        tuple(max(1, math.ceil(side / scale)) for side in size) if scale > 1 else size
    )


def _on_grey_scale(image, name, path):
    """Float and 16- or 32-bit integer pictures as floats on the 0-255 scale.

    Float pictures follow the rule for float arrays (grey levels in [0, 255], or
    all in [0, 1]); integer pictures of more than 8 bits are on the 16-bit scale
    (0 to 65535), as 16-bit PNG and TIFF files are. Other values are refused, not
    rescaled: a picture holding them was not meant as grey levels.
    """
    if image.mode == "F":
        # Checked at full size: averaging would hide a stray pixel. (Pillow's
        # getextrema does not see NaN.)
        values = np.asarray(image)
        problem = _level_problem(values)
        if problem is not None:
            raise DigitImageError(
                f"cannot read {name} as a picture: it holds {problem}; a float "
                f"picture must hold {_LEVELS}",
                path=path,
            )
        return image if values.max() > 1 else image.point(lambda v: v * 255.0)
    if image.mode.startswith("I;16"):
        # Pillow's getextrema does not take every 16-bit layout (big-endian).
        image = image.convert("I")
    if image.mode == "I":
        low, high = image.getextrema()
        if low < 0 or high > 65535:
            raise DigitImageError(
                f"cannot read {name} as a picture: it holds grey levels from "
                f"{low} to {high}; an integer picture of more than 8 bits must "
                "hold levels from 0 to 65535 (the 16-bit scale); save it with 8 "
                "or 16 bits per pixel",
                path=path,
            )
        # Converting to "L" would clip instead of rescaling.
        return image.convert("F").point(lambda value: value / 257.0)
    return image


def _reducible(image):
    """Convert modes that cannot be box-reduced (palettes, 1-bit, CMYK)."""
    if "transparency" in image.info or image.mode in ("PA", "RGBa", "La"):
        return image.convert("LA" if image.mode in ("L", "La") else "RGBA")
    if image.mode in ("L", "LA", "RGB", "RGBA", "F"):
        return image
    return image.convert("RGB")


def _reduce(image, side):
    factor = math.ceil(max(image.size) / side)
    return image.reduce(factor) if factor > 1 else image


def _pillow_to_grey(image):
    Image, _ = import_pillow()
    if image.mode == "F":
        return np.asarray(image, dtype=np.float64)
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, _paper_colour(rgba))
        image = Image.alpha_composite(paper, rgba)
    return np.asarray(image.convert("L"), dtype=np.float64)


def _paper_colour(rgba):
    """White paper behind transparent areas, unless what is drawn is light.

    A dark digit drawn on a transparent canvas gets white paper; a white digit on
    a transparent canvas would vanish on white, so it gets black paper instead.
    """
    pixels = np.asarray(rgba, dtype=np.float64)
    alpha = pixels[..., 3]
    if alpha.sum() == 0:
        return (255, 255, 255, 255)
    luma = pixels[..., :3] @ np.array([0.299, 0.587, 0.114])
    drawn = np.average(luma, weights=alpha)
    return (0, 0, 0, 255) if drawn > 127.5 else (255, 255, 255, 255)


def array_to_grey(source, param):
    """Grey levels from the array given as ``param``, checked as for pictures."""
    array = np.asarray(source)
    if array.ndim != 2:
        raise ValueError(
            f"{param} must be a 2-D array of grey levels (height, width); "
            f"got an array of shape {array.shape}"
        )
    if array.dtype == bool:
        return array * 255.0
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{param} must hold numbers; got dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{param} must be a non-empty array of grey levels")
    grey = array.astype(np.float64)
    problem = _level_problem(grey)
    if problem is not None:
        raise ValueError(f"{param} must hold {_LEVELS}; it holds {problem}")
    if array.dtype.kind == "f" and grey.max() <= 1:
        grey *= 255.0
    return grey


def _level_problem(values):
    """What keeps ``values`` from being grey levels in [0, 255], or None."""
    if not np.isfinite(values).all():
        return "values that are not finite numbers (NaN or infinity)"
    low, high = values.min(), values.max()
    if low < 0 or high > 255:
        return f"values from {low:g} to {high:g}"
    return None
