"""Typed errors for input we cannot read: each carries a stable reason code for the quarantine."""

from __future__ import annotations

from enum import StrEnum


class QuarantineReason(StrEnum):
    """Why an item was quarantined; stored in the database and shown to officers."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_AN_EMAIL = "not_an_email"
    NO_TEXT = "no_text"
    UNSUPPORTED_TYPE = "unsupported_type"
    CORRUPT_PDF = "corrupt_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    TOO_MANY_PAGES = "too_many_pages"
    IMAGE_TOO_LARGE = "image_too_large"
    OCR_FAILED = "ocr_failed"
    INTERNAL_ERROR = "internal_error"


class UnreadableItem(Exception):
    """The sender's input cannot be turned into text; retrying the same bytes will not help."""

    def __init__(self, reason: QuarantineReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


class TransientSourceError(Exception):
    """A source failed for a passing reason (network, server busy); worth retrying later."""


class SourceConfigError(Exception):
    """A source is misconfigured (wrong password, no host); retrying will not help."""
