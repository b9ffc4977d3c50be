"""`qunfang assess --period P [--region CODE] [--check]`: compute a period's assessment with each
township's schemes in use, or check the stored scores against the records as of their cut-off."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qunfang.core.models import Region
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import AssessmentRun
from qunfang.governance.services.assessment import (
    levels_in_use,
    run_assess,
    run_check,
    townships_in,
)


class Command(BaseCommand):
    help = (
        "Compute the assessment of a period (2026-11, 2026-Q4 or 2026) for every township with "
        "a scheme in use, or with --check recompute every stored score of the period from the "
        "records as of its cut-off and print one line per score that differs (exit 1 if any)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", required=True, help="2026-11, 2026-Q4 or 2026")
        parser.add_argument("--region", help="a township's code (or a county's, or a village's)")
        parser.add_argument("--check", action="store_true", help="check the stored scores")

    def handle(
        self, *args: Any, period: str, region: str | None, check: bool, **options: Any
    ) -> None:
        try:
            chosen = Period.parse(period)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        place = None
        if region:
            place = Region.objects.filter(code=region).first()
            if place is None:
                raise CommandError(f"no region with the code {region}")
        townships = townships_in(place)
        if check:
            self._check(chosen, townships)
        else:
            self._assess(chosen, townships)

    def _assess(self, period: Period, townships: list[Region]) -> None:
        for township in townships:
            # one cut-off for the township's levels, which then read the records once
            now = timezone.now()
            reads: dict[str, Any] = {}
            for level in levels_in_use(township):
                started = time.perf_counter()
                try:
                    run = run_assess(
                        township=township,
                        level=level,
                        period=period,
                        by=None,
                        now=now,
                        reads=reads,
                    )
                except ValidationError as refused:
                    self.stderr.write(
                        f"{township.name} {level} {period}: {' '.join(refused.messages)}"
                    )
                    continue
                self.stdout.write(
                    f"{township.name} {level} {period}: {run.scores.count()} scores "
                    f"in {time.perf_counter() - started:.1f} s"
                )

    def _check(self, period: Period, townships: list[Region]) -> None:
        runs = AssessmentRun.objects.filter(region__in=townships, period=period.key).select_related(
            "region"
        )
        differences = 0
        # the levels a township computed at one moment read the same records: read them once,
        # and let them go with that township (in order, so memory stays one township's)
        shared: tuple[Any, dict[str, Any]] = (None, {})
        for run in runs.order_by("region", "cutoff", "level"):
            moment = (run.region_id, run.cutoff)
            if shared[0] != moment:
                shared = (moment, {})
            for difference in run_check(run, reads=shared[1]):
                differences += 1
                self.stdout.write(f"{run.region.name} {run.level} {difference}")
        self.stdout.write(f"assessments checked: {len(runs)}; figures that differ: {differences}")
        if differences:
            raise SystemExit(1)
