"""What a lead file's cells say about a person and a company: seniority from a
job title, the company domain from a website or a work email."""

from __future__ import annotations

import re

from leadqueue.domain.duplicates import FREE_MAIL_DOMAINS

# Checked in order; the first that matches wins.
_SENIORITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "c_level",
        re.compile(
            r"\b(chief|ceo|cfo|coo|cto|cro|cmo|cio|ciso|cpo|cdo|cxo|(co-?)?founder|geschäftsführer|pdg)\b"
            r"|(?<!vice )(?<!vice-)\bpresident\b"
            r"|(?<!product )(?<!process )(?<!account )(?<!data )\bowner\b"
        ),
    ),
    ("vp", re.compile(r"\b(vp|svp|evp|avp|vice[- ]president)\b")),
    ("director", re.compile(r"\b(director|directeur|directrice|direktor|head of)\b")),
    ("manager", re.compile(r"\b(manager|lead|gerente)\b(?! gen)")),
    ("student", re.compile(r"\b(student|intern|internship|trainee)\b")),
)


def infer_seniority(title: str) -> str:
    """Seniority from a job title: c_level, vp, director, manager, student or individual ("" if no title)."""
    text = title.strip().casefold()
    if not text:
        return ""
    for seniority, pattern in _SENIORITY_RULES:
        if pattern.search(text):
            return seniority
    return "individual"


_URL_PREFIX = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?")
_DOMAIN_END = re.compile(r"[/?#:\s].*$", re.S)


def domain_of(website: str) -> str:
    """`https://www.Acme.com/about` -> `acme.com`."""
    text = _URL_PREFIX.sub("", website.strip().casefold())
    return _DOMAIN_END.sub("", text).strip(".")


def domain_from_email(email: str) -> str:
    """The company domain of a work email; "" for free-mail or anything that is not an email."""
    _, at, domain = email.strip().casefold().rpartition("@")
    if not at or "." not in domain or domain in FREE_MAIL_DOMAINS:
        return ""
    return domain
