"""The members of a zip archive from an untrusted source, read within bounds.

Everything is checked from the archive's central directory before any member is
inflated: the number of members, the compression method (stored or deflate:
their output can be bounded), encryption, each member's declared size against
its cap, its compression ratio, and the total. Members are then inflated in
bounded steps, never past the size the directory declares, and zipfile checks
each one's CRC, so an archive whose directory lies costs no more than one that
tells the truth: it is refused as damaged.

This module knows nothing of what the archive holds.
"""

import io
import zipfile
from collections.abc import Callable
from typing import NamedTuple

__all__ = [
    "ArchiveError",
    "ArchiveLimits",
    "NotAZipArchive",
    "read_members",
    "stored_archive",
]

_STEP = 1 << 20  # bytes inflated at a time


class ArchiveError(ValueError):
    """The archive is not one to read: the message says why, in a few words."""


class NotAZipArchive(ArchiveError):
    """The data are not a zip archive at all."""


class ArchiveLimits(NamedTuple):
    """How much an archive may hold."""

    max_members: int
    max_total_bytes: int  # all members, inflated
    max_member_bytes: Callable[[str], int]  # by member name, inflated
    max_ratio: float  # inflated / compressed, for members above ratio_from_bytes
    ratio_from_bytes: int


def read_members(data, limits):
    """Every member of the zip archive ``data``, by name, read within ``limits``.

    Parameters
    ----------
    data : bytes
        The archive.

    limits : ArchiveLimits
        What it may hold.

    Returns
    -------
    members : dict of str to bytes
        The content of each member.

    Raises
    ------
    NotAZipArchive
        If ``data`` is not a zip archive.

    ArchiveError
        If the archive breaks a limit, or is damaged.

    Examples
    --------
    >>> from skdigit._archive import (
    ...     ArchiveError, ArchiveLimits, read_members, stored_archive
    ... )
    >>> limits = ArchiveLimits(10, 1000, lambda name: 100, 100.0, 1 << 20)
    >>> read_members(stored_archive({"a.txt": b"hello"}), limits)
    {'a.txt': b'hello'}
    >>> try:
    ...     read_members(stored_archive({"a.txt": bytes(200)}), limits)
    ... except ArchiveError as error:
    ...     print(error)
    its member 'a.txt' holds 200 bytes, more than the 100 it may
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NotAZipArchive("it is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_directory(infos, limits)
            return {info.filename: _read(archive, info) for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ArchiveError(f"{exc}".rstrip(".") or type(exc).__name__) from exc


def _check_directory(infos, limits):
    if len(infos) > limits.max_members:
        raise ArchiveError(
            f"it holds {len(infos)} members, more than the {limits.max_members} it may"
        )
    total = 0
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ArchiveError(f"its member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveError(
                f"its member {name!r} uses compression method {info.compress_type}; "
                "only stored and deflated members are read"
            )
        cap = limits.max_member_bytes(name)
        if info.file_size > cap:
            raise ArchiveError(
                f"its member {name!r} holds {info.file_size} bytes, more than the "
                f"{cap} it may"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_from_bytes and ratio > limits.max_ratio:
            raise ArchiveError(
                f"its member {name!r} inflates {ratio:.0f} times, from "
                f"{info.compress_size} to {info.file_size} bytes (a zip bomb?)"
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise ArchiveError(
            f"its members hold {total} bytes, more than the {limits.max_total_bytes} "
            "an archive may"
        )


def _read(archive, info):
    """A member, inflated a step at a time; zipfile stops at the declared size
    and checks the CRC at the end."""
    pieces = []
    with archive.open(info) as member:
        while piece := member.read(_STEP):
            pieces.append(piece)
    return b"".join(pieces)


def stored_archive(members):
    """A zip archive (as bytes) of ``members``, a dict of name to bytes, stored.

    Examples
    --------
    >>> from skdigit._archive import stored_archive
    >>> stored_archive({"a.txt": b"hello"})[:2]
    b'PK'
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()
