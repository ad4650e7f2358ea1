"""skdigit._archive: a zip archive from an untrusted source, read within bounds."""

import io
import zipfile

import pytest

from skdigit._archive import (
    ArchiveError,
    ArchiveLimits,
    NotAZipArchive,
    read_members,
    stored_archive,
)

LIMITS = ArchiveLimits(
    max_members=3,
    max_total_bytes=3 * 2**20,
    max_member_bytes=lambda name: 100 if name.endswith(".json") else 2**21,
    max_ratio=50.0,
    ratio_from_bytes=2**16,
)


def _deflated(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_members_within_bounds_are_read():
    members = {"a.json": b"{}", "b.npy": bytes(range(256)) * 100}
    assert read_members(stored_archive(members), LIMITS) == members
    assert read_members(_deflated(members), LIMITS) == members


@pytest.mark.parametrize(
    "data, why",
    [
        (b"PK not really", "it is not a zip archive"),
        (stored_archive({"a.json": b" " * 101}), "'a.json' holds 101 bytes"),
        (stored_archive({"b.npy": bytes(2**21 + 1)}), "more than the 2097152"),
        (_deflated({"b.npy": bytes(2**20)}), "'b.npy' inflates"),
        (stored_archive({str(i): b"" for i in range(4)}), "holds 4 members"),
        (
            stored_archive({name: bytes(2**21) for name in "xy"}),
            "its members hold 4194304 bytes",
        ),
    ],
)
def test_what_breaks_a_bound_is_refused_before_reading(data, why):
    with pytest.raises(ArchiveError, match=why):
        read_members(data, LIMITS)


def test_only_stored_and_deflated_members_are_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("b.npy", b"x")
    with pytest.raises(ArchiveError, match="compression method 12"):
        read_members(buffer.getvalue(), LIMITS)
    with pytest.raises(NotAZipArchive):
        read_members(b"", LIMITS)
