"""Duplicate detection keys: same normalised email, or same person at the same company domain."""

from __future__ import annotations

import re
import unicodedata

from leadqueue.domain.lead import LeadProfile

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_WORD = re.compile(r"[^\w]+")


def normalise_email(email: str) -> str:
    """Lower-case, trimmed, with any +tag removed from the local part."""
    email = email.strip().casefold()
    if not _EMAIL.match(email):
        return ""
    local, _, domain = email.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def fold_text(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    folded = text.casefold()
    if not folded.isascii():  # ASCII text (most names) has no accents to take off
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", folded).split())


# Personal mailboxes say nothing about the company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.ru",
        "zoho.com",
        "qq.com",
        "163.com",
    }
)


def normalise_domain(domain: str, email: str = "") -> str:
    """The company's domain: from its website, else from a business email address."""
    domain = domain.strip().casefold()
    domain = re.sub(r"^(https?://)?(www\.)?", "", domain).split("/")[0]
    if not domain and "@" in email:
        candidate = email.rsplit("@", 1)[1].strip().casefold()
        domain = "" if candidate in FREE_MAIL_DOMAINS else candidate
    return domain


def person_key(lead: LeadProfile) -> str:
    name = fold_text(f"{lead.first_name} {lead.last_name}")
    domain = normalise_domain(lead.domain, lead.email)
    if not name or not domain:
        return ""
    return f"{name}@{domain}"


def is_valid_email(email: str) -> bool:
    return bool(_EMAIL.match(email.strip()))
