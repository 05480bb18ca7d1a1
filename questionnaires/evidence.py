"""Evidence files: what we accept, how we name it, where the bytes live.

Clients lie about file types and names, so the type is read from the file's first bytes and the
stored name is derived from its SHA-256; the uploader's filename is kept only as a cleaned-up
label for downloads.

A filename hiding a bidirectional override or a control character is refused outright rather
than cleaned: ``invoice\u202efdp.exe`` displays as ``invoiceexe.pdf``, and a reviewer should
learn that someone tried, not see a quietly repaired name.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from core.text import line_problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_DESCRIPTION = "PDF, JPEG, PNG, WebP or HEIC images, Word, Excel or PowerPoint documents"
_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_LEGACY = {".doc": ("application/msword", "doc"), ".xls": ("application/vnd.ms-excel", "xls")}


@dataclass(frozen=True)
class Detected:
    media_type: str
    extension: str


def detect_type(data: bytes, filename: str) -> Detected | None:
    """The file's real type from its content, or None when it is not on the allow-list."""
    if data.startswith(b"%PDF-"):
        return Detected("application/pdf", "pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", "png")
    if data.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", "jpg")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Detected("image/webp", "webp")
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return Detected("image/heic", "heic")
    if data.startswith(OLE_MAGIC):
        legacy = _LEGACY.get(Path(filename).suffix.lower())
        return Detected(*legacy) if legacy else None
    if data.startswith(b"PK\x03\x04"):
        return _office_zip(data)
    return None


def _office_zip(data: bytes) -> Detected | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "mimetype" in names:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
            return Detected(mimetype, _ODF[mimetype]) if mimetype in _ODF else None
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, (media_type, extension) in _OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return Detected(media_type, extension)
    return None


def clean_filename(filename: str | None, extension: str) -> str:
    """A harmless display name: no path, no control or shell characters, the real extension."""
    base = Path((filename or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    stem = Path(base).stem if "." in base else base
    stem = re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE).strip(" ._") or "evidence"
    return f"{stem[:80]}.{extension}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_filename(filename: str | None) -> None:
    """Refuse a file name that would display as something other than it is."""
    problem = line_problem(filename or "")
    if problem:
        raise InvalidInput(
            f"The file name {problem}; rename the file and upload it again",
            errors=[{"field": "file", "message": f"file name {problem}"}],
        )


def check_upload(data: bytes, filename: str, max_bytes: int) -> tuple[Detected, str]:
    check_filename(filename)
    if not data:
        raise InvalidInput("The file is empty", errors=[{"field": "file", "message": "empty"}])
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is larger than {_megabytes(max_bytes)}, the limit for one evidence file; "
            "send a smaller scan or split it into several files"
        )
    detected = detect_type(data, filename)
    if detected is None:
        raise UnsupportedMediaType(
            f"{clean_filename(filename, 'bin')!r} is not an accepted evidence type; upload "
            f"{ALLOWED_DESCRIPTION}"
        )
    return detected, hashlib.sha256(data).hexdigest()
