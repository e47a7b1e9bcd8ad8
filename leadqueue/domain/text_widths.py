"""How many characters the store's text columns of a lead hold.

The store declares its columns with these widths (store/schema.py), and an
import checks every cell bound for one of them before it gets there: a cell
longer than its column is a row error naming the column, where PostgreSQL
would refuse the whole import's transaction (and SQLite would keep it all).
"""

from __future__ import annotations

from types import MappingProxyType

# leads.<column> -> characters it holds
LEAD_TEXT_WIDTHS = MappingProxyType(
    {
        "crm_id": 64,
        "source_system": 20,
        "first_name": 120,
        "last_name": 120,
        "title": 200,
        "seniority": 20,
        "email": 320,
        "phone": 60,
        "profile_url": 400,
        "company": 200,
        "domain": 200,
        "person_key": 400,  # "first last@domain", folded: derived, not a cell
        "industry": 120,
        "region": 60,
        "source": 120,
        "campaign": 200,
        "channel": 60,
        "account_status": 40,
        "crm_status": 60,
    }
)

# reps.name: an owner named in a lead file may become a new rep of that name
REP_NAME_WIDTH = 200
