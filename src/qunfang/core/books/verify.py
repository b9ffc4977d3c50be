"""Walking the chains: each line must carry the hash of its content and of the line before it,
the numbers must run on without a gap, and the chain must end where its head (and any anchor
kept outside the database) says it ends. The first line that does not match is named."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import timezone

from qunfang.core.books.base import AppendOnly, ChainHead
from qunfang.core.books.chain import GENESIS, content_fields, line_hash, line_values

Anchor = dict[str, Any]  # {"seq": n, "hash": h}: where a chain ended when it was written down


@dataclass
class ChainReport:
    name: str
    lines: int = 0
    head: str = GENESIS  # the hash of the last line found
    problem: str = ""
    line_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem

    def __str__(self) -> str:
        state = "ok" if self.ok else f"BROKEN at id {self.line_id or '-'}: {self.problem}"
        return f"{self.name} {self.lines} {self.head[:16]} {state}"


def books() -> dict[str, type[AppendOnly]]:
    return {m.book: m for m in apps.get_models() if issubclass(m, AppendOnly)}


def chain_names(*, using: str = "default", anchors: dict[str, Anchor] | None = None) -> list[str]:
    """Every chain the database or the anchors know of (a chain whose head row and lines
    are all gone is still named by an anchor)."""
    names = set(ChainHead.objects.using(using).values_list("name", flat=True))
    for model in books().values():
        names |= set(model._base_manager.using(using).values_list("chain", flat=True).distinct())
    return sorted(names | set(anchors or {}))


def current_heads(*, using: str = "default") -> dict[str, Anchor]:
    return {
        h.name: {"seq": h.seq, "hash": h.hash}
        for h in ChainHead.objects.using(using).filter(seq__gt=0)
    }


def anchor_document(*, using: str = "default") -> dict[str, Any]:
    """What is kept outside the database (backup manifests): every chain's head, now."""
    return {"written_at": timezone.now().isoformat(), "chains": current_heads(using=using)}


def load_anchors(path: Path) -> dict[str, Anchor]:
    """A backup manifest or any JSON file with {"chains": {name: {"seq": n, "hash": h}}};
    a hash may be shortened (as printed), to no fewer than 8 characters."""
    chains: dict[str, Anchor] = json.loads(Path(path).read_text(encoding="utf-8"))["chains"]
    for name, anchor in chains.items():
        if len(anchor["hash"]) < 8 or int(anchor["seq"]) < 0:
            raise ValueError(f"anchor of {name}: a hash of at least 8 characters and a line number")
    return chains


def verify_books(
    *, only: str = "", anchors: dict[str, Anchor] | None = None, using: str = "default"
) -> Iterator[ChainReport]:
    """One report per chain; `only` is a chain's name or a book's ("casebook")."""
    for name in chain_names(using=using, anchors=anchors):
        if only and only not in (name, name.split("/")[0]):
            continue
        yield verify_chain(name, anchor=(anchors or {}).get(name), using=using)


def verify_chain(name: str, *, anchor: Anchor | None = None, using: str = "default") -> ChainReport:
    report = ChainReport(name)
    model = books().get(name.split("/")[0])
    if model is None:
        report.problem = "no book keeps this chain"
        return report
    head = ChainHead.objects.using(using).filter(name=name).first()
    attnames = [f.attname for f in content_fields(model)]
    rows = (
        model._base_manager.using(using)
        .filter(chain=name)
        .order_by("seq")
        .values_list("pk", "seq", "prev_hash", "hash", *attnames)
    )
    expected, prev = 1, GENESIS
    last_id: int | None = None
    anchored: tuple[int, str] | None = None  # (id, hash) of the line the anchor names
    for pk, seq, prev_hash, stored, *values in rows.iterator(chunk_size=5000):
        if report.lines == 0 and seq != 1:
            problem, prev = _archived_start(model, name, seq, using)
            if problem:
                return _broken(report, pk, problem)
            expected = seq
        if seq != expected:
            return _broken(report, pk, f"line {expected} is missing (removed); this is line {seq}")
        if prev_hash != prev:
            return _broken(report, pk, "does not follow the line before it (inserted or moved)")
        fields = dict(zip(attnames, values, strict=True))
        if line_hash(name, seq, prev_hash, line_values(model, fields.__getitem__)) != stored:
            return _broken(report, pk, "content altered: the line does not match its hash")
        if head is not None and seq == head.seq + 1:
            return _broken(report, pk, f"written behind the head, which ends at line {head.seq}")
        if anchor and seq == int(anchor["seq"]):
            anchored = (pk, stored)
        report.lines += 1
        report.head = prev = stored
        last_id, expected = pk, seq + 1
    return _check_end(report, head, anchor, anchored, last_seq=expected - 1, last_id=last_id)


def _check_end(
    report: ChainReport,
    head: ChainHead | None,
    anchor: Anchor | None,
    anchored: tuple[int, str] | None,
    *,
    last_seq: int,
    last_id: int | None,
) -> ChainReport:
    if head is None:
        return _broken(report, last_id, "the chain's head is gone")
    if head.seq > last_seq:
        text = f"the head says {head.seq} lines, the book ends at line {last_seq}: lines removed"
        return _broken(report, last_id, text)
    if head.hash != report.head:
        return _broken(report, last_id, "the head's hash is not the last line's")
    if anchor:
        seq, digest = int(anchor["seq"]), anchor["hash"]
        if seq > last_seq:
            text = (
                f"an anchor kept outside has line {seq}, the book ends at line {last_seq}: "
                "lines removed"
            )
            return _broken(report, last_id, text)
        if anchored and not anchored[1].startswith(digest):
            return _broken(report, anchored[0], f"line {seq} differs from the anchor kept outside")
    return report


def _archived_start(
    model: type[AppendOnly], name: str, first_seq: int, using: str
) -> tuple[str, str]:
    """A chain that starts after line 1 must start where an archive line says its archived
    lines end; returns (problem, the previous hash to go on from)."""
    from qunfang.core.books.retention import check_archive

    for mark in model.archive_marks(name, using=using):
        if int(mark.get("last_seq", 0)) == first_seq - 1:
            return check_archive(mark), mark["last_hash"]
    return f"lines 1–{first_seq - 1} are missing and no archive line accounts for them", GENESIS


def _broken(report: ChainReport, line_id: int | None, problem: str) -> ChainReport:
    report.line_id, report.problem = line_id, problem
    return report
