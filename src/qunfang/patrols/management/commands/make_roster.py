import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from qunfang.core.models import JobStatus, Region, User
from qunfang.patrols.models import JointZone, Roster
from qunfang.patrols.services.rostering import RosterRequest, check_roster_request, publish_roster
from qunfang.patrols.tasks import run_roster_here, start_roster


def _month(text: str) -> tuple[dt.date, dt.date]:
    try:
        year, month = (int(part) for part in text.split("-"))
        first = dt.date(year, month, 1)
    except ValueError as exc:
        raise CommandError(f"--month wants YYYY-MM, not {text!r}.") from exc
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Build a draft roster for a village or township (by code) or a joint zone (by id) "
        "for a month, as the roster page does — for cron, or to plan a whole township at once. "
        "Prints the solver's figures."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--region", help="12-digit code of a village or township")
        scope.add_argument("--zone", type=int, help="id of a joint zone")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--by",
            required=True,
            help="user name recorded as the roster's author; they must plan patrols there "
            "(for a joint zone: run it)",
        )
        parser.add_argument("--seconds", type=float, default=None, help="solver time limit")
        parser.add_argument(
            "--publish", action="store_true", help="publish it when every seat is filled"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue it for the task worker (`qunfang worker`) instead of solving here",
        )

    def handle(self, *args, region, zone, month, by, seconds, publish, enqueue, **options):
        if enqueue and publish:
            raise CommandError("--publish needs the roster at once: leave out --enqueue.")
        author = User.objects.filter(username=by, is_active=True).first()
        if author is None:
            raise CommandError(f"No active user {by!r}.")
        starts_on, ends_on = _month(month)
        if zone is not None:
            target = JointZone.objects.filter(pk=zone).select_related("region").first()
            if target is None:
                raise CommandError(f"No joint zone {zone}.")
            req = RosterRequest(
                region=target.region, zone=target, starts_on=starts_on, ends_on=ends_on
            )
        else:
            place = Region.objects.filter(code=region).first()
            if place is None:
                raise CommandError(f"No region with code {region}.")
            req = RosterRequest(region=place, starts_on=starts_on, ends_on=ends_on)
        req.time_limit_s = seconds
        try:
            check_roster_request(req, by=author)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:  # --by plans patrols elsewhere, or only sees the zone
            raise CommandError(f"{by} may not make this roster: {exc}") from exc
        if enqueue:
            job = start_roster(req, by=author)
            self.stdout.write(f"queued as job {job.pk} ({job.get_absolute_url()})")
            return
        job = run_roster_here(req, by=author)  # the task the roster page queues, run here
        if job.status != JobStatus.DONE:
            raise CommandError(job.error or f"job {job.pk} did not finish")
        roster = Roster.objects.get(pk=job.result["roster"])
        shifts = roster.shifts.count()
        gap = f"{roster.gap:.1%}" if roster.gap is not None else "-"
        self.stdout.write(
            f"roster {roster.pk}: {shifts} shifts, {roster.solver_status}, "
            f"objective {roster.objective}, bound {roster.bound}, gap {gap}, "
            f"first feasible {roster.first_feasible_s or 0:.2f} s, "
            f"{roster.seconds or 0:.1f} s in all"
        )
        for problem in roster.problems:
            self.stdout.write(
                f"  {problem['day']} {problem['shift']} ({problem['village']}): {problem['code']}, "
                f"short {problem['short']}"
            )
        if publish:
            if roster.problems:
                raise CommandError("Not published: some seats are empty (see above).")
            publish_roster(roster=roster, by=author)  # the same rule as making it
            self.stdout.write("published")
