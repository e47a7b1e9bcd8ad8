"""Stores and hand-made segments for the sync trust and record tests: a writer
here is a key and a folder, so a test can publish exactly what an attacker,
a buggy version or a colleague would."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from leadqueue.domain.clock import FixedClock
from leadqueue.domain.decisions import Accept
from leadqueue.domain.policy import Policy
from leadqueue.services.context import Services
from leadqueue.services.decisions import DecisionService
from leadqueue.store import outbox
from leadqueue.store import repository as repo
from leadqueue.store.engine import open_store
from leadqueue.store.repository import find_lead
from leadqueue.store.schema import events, leads, reps
from leadqueue.sync.keys import SigningKey, public_text
from leadqueue.sync.segments import SharedFolder, segment_name
from leadqueue.sync.service import SyncService
from leadqueue.sync.signing import header_line
from leadqueue.sync.summary import SyncSummary
from tests.conftest import NOW
from tests.factories import add_lead

# Leads of the reader's store: ana owns 0-2, ben owns 3-5.
ANA_LEADS = [f"00Q00000000000{i}" for i in range(3)]
BEN_LEADS = [f"00Q00000000000{i}" for i in range(3, 6)]


def reader(db: str | Path) -> Services:
    """A team store: ana and ben (reps) own three leads each; lee is the team lead."""
    services = Services(store=open_store(db), policy=Policy(), clock=FixedClock(NOW))
    for crm in ANA_LEADS:
        add_lead(services, crm, rep="ana", assigned_at=NOW - timedelta(hours=1))
    for crm in BEN_LEADS:
        add_lead(services, crm, rep="ben", assigned_at=NOW - timedelta(hours=1))
    with services.store.write() as conn:
        repo.ensure_reps(conn, {"lee": "Lee"})
        conn.execute(update(reps).where(reps.c.key == "lee").values(role="lead"))
    return services


def new_key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    return SigningKey(private, public_text(private.public_key()))


@dataclass
class Writer:
    """A writer folder of the share and the key it signs with, publishing as `rep`."""

    share: Path
    name: str
    rep: str
    key: SigningKey = field(default_factory=new_key)
    seq: int = 0

    def publish(self, lines: list[dict[str, Any] | str]) -> Path:
        """One signed segment of these records (a str is written as the line it is)."""
        parts = [
            (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)).encode() + b"\n" for x in lines
        ]
        name = segment_name(self.seq + 1, self.seq + len(parts))
        self.seq += len(parts)
        digests = [hashlib.sha256(part[:-1]).digest() for part in parts]
        header = header_line(self.key, self.name, self.rep, name, len(parts), digests)
        return SharedFolder(self.share).write_segment(self.name, name, header, parts)


def record(
    kind: str, lead: str, actor: str, at: datetime = NOW, event_id: str | None = None, **payload: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "lead_id": lead,
        "kind": kind,
        "actor": actor,
        "at": at.isoformat(),
        **payload,
    }


def accepted(lead: str, actor: str, at: datetime = NOW, event_id: str | None = None) -> dict[str, Any]:
    due = (at + timedelta(hours=3)).isoformat()
    return record("accepted", lead, actor, at, event_id, next_step="call", due=due, note="Call them")


def rejected(lead: str, actor: str, at: datetime = NOW, reason: str = "R3", **more: Any) -> dict[str, Any]:
    return record("rejected", lead, actor, at, reason=reason, **more)


def sync(services: Services, share: Path, hint: str = "reader") -> SyncSummary:
    return SyncService(services, share, hint).run()


def event_ids(services: Services) -> set[str]:
    with services.store.read() as conn:
        return {r[0] for r in conn.execute(select(events.c.event_id))}


def state(services: Services, crm: str) -> str | None:
    with services.store.read() as conn:
        row = find_lead(conn, crm)
        assert row is not None
        return row.state


def owner(services: Services, crm: str) -> str | None:
    with services.store.read() as conn:
        return conn.execute(select(leads.c.owner).where(leads.c.crm_id == crm)).scalar_one()


def copy(src: Services, path: Path) -> Services:
    """A copy of the store at `path`, opened on the tests' clock."""
    src.store.dispose()
    shutil.copy(src.store.label, path)
    return Services(store=open_store(path), policy=Policy(), clock=FixedClock(NOW))


def reopen(services: Services) -> Services:
    services.store.dispose()
    return Services(store=open_store(services.store.label), policy=Policy(), clock=FixedClock(NOW))


def accept(services: Services, crm: str, actor: str = "ana") -> None:
    decision = Accept(next_step="call", due=NOW + timedelta(hours=3), note="Call about routing")
    DecisionService(services).accept(crm, actor, decision)


def own_folder(services: Services, share: Path) -> Path:
    """This store's writer folder in the share."""
    with services.store.read() as conn:
        writer = outbox.read_meta(conn, outbox.WRITER_ID)
    assert writer is not None
    return SharedFolder(share).writer_dir(writer)


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Services, Services]:
    """ana's store and the team lead's, copies of one store that has never synced."""
    team = reader(tmp_path / "template.db")
    ana = copy(team, tmp_path / "ana.db")
    lead = copy(ana, tmp_path / "lead.db")
    return reopen(ana), lead
