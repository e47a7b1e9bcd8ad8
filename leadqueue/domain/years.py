"""The years an instant leadqueue holds may fall in.

CRMs write 0001-01-01 and 9999-12-31 as "no date"; a clock started at either
would put its deadline past the last instant Python holds, and every command
that reads the lead would crash. So the store refuses instants outside these
years, and a shared record or an imported date outside them is refused before
it gets there.
"""

from __future__ import annotations

MIN_YEAR = 1900
MAX_YEAR = 2200
