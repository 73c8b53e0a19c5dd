"""Evidence files of a test execution: which files are accepted, and how they are named and served.

A file is accepted when its extension is one of ALLOWED, it is not empty, it is at most the size
cap (settings.EVIDENCE_MAX_BYTES, 20 MiB by default) and, for an image, its first bytes are those
of the format its extension names (a page saved as ``shot.png`` is refused). The content type
stored and served comes from the extension, never from the browser.

Pure functions: no request, no database.
"""

import os
import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# extension -> content type served
ALLOWED = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "log": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
IMAGES = {"png", "jpg", "jpeg", "gif", "webp"}
NAME_MAX = 150  # characters kept of a file name (the stored path adds about 60)


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lstrip(".").lower()


def is_image(name: str) -> bool:
    return extension(name) in IMAGES


def content_type(name: str) -> str:
    return ALLOWED.get(extension(name), "application/octet-stream")


def looks_like(ext: str, head: bytes) -> bool:
    """Do the first bytes of a file match the image format its extension names? (True for non-images.)"""
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if ext == "webp":
        return len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return True


def _clean_part(text: str) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch)[0] != "C")
    text = re.sub(r"\s+", "_", text.strip())
    return re.sub(r"[^\w.\-()+]", "", text)


def clean_name(name: str) -> str:
    """The file name to keep: no folders, no control or path characters, at most NAME_MAX characters,
    the extension unchanged (so it still names the checked type).

    Letters of any script stay (``截圖 1.png`` is kept as ``截圖_1.png``); a name left empty becomes
    ``file`` (``file.png``).
    """
    base = os.path.basename((name or "").replace("\\", "/"))
    stem, ext = os.path.splitext(base)
    stem, ext = _clean_part(stem).strip("._"), _clean_part(ext.lstrip("."))
    suffix = f".{ext}" if ext else ""
    stem = (stem or "file")[: NAME_MAX - len(suffix)]
    return stem + suffix


def megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}"


def problem(name: str, size: int, head: bytes, cap: int | None = None) -> str | None:
    """Why a file cannot be kept as evidence (a message naming it), or None when it can."""
    cap = max_bytes() if cap is None else cap
    ext = extension(name)
    if ext not in ALLOWED:
        return _("%(file)s: files of this type cannot be attached; allowed: %(allowed)s.") % {
            "file": name, "allowed": ", ".join(sorted(ALLOWED))}
    if size <= 0:
        return _("%(file)s is empty.") % {"file": name}
    if size > cap:
        return _("%(file)s is %(size)s MB; the limit is %(cap)s MB.") % {
            "file": name, "size": megabytes(size), "cap": megabytes(cap)}
    if not looks_like(ext, head):
        return _("%(file)s is not a %(kind)s image: its content does not match its extension.") % {
            "file": name, "kind": ext.upper()}
    return None
