"""Past one machine: `manage.py bench_scale [--members 1000000]` (issue 17, goal 5).

Generates, in a PostgreSQL database of its own, a province-like organisation with
set-based SQL (INSERT … SELECT over generate_series): a province committee (root) →
universities (20 colleges each) → colleges (50 branches each) → branches of 20
members; users for two members of every branch (the branch secretary and one plain
member) and an admin for every committee; and one campaign over the whole province
in the shape `bench_dashboards` gives it (the study phase done by four branches in
five — plans, sessions with attendance, reading notes and reflections —, the
analysis phase open with some of its meetings held). Units, members and users get
explicit ids, so that the generation is arithmetic and not a walk.

Then it ANALYZEs and, for each measured page, logs in as the page's user through
Django's test client, times the page, counts its queries, and EXPLAIN (ANALYZE,
BUFFERS)s the slowest of them, printing the plan's scans (Seq Scan or Index Scan on
which table). The college, university and branch measured are the first of each, so
their own size stays the same whatever `--members` is: what grows is only the rest of
the province, which a page for one college should not pay for.

`make bench-scale` (MEMBERS=30000 for the comparison) makes the database
vanguard_scale afresh and drops it afterwards. The command refuses SQLite and any
database that holds rows it did not write; on a database it wrote itself it only
measures (to compare plans before and after an index).
"""

from __future__ import annotations

import datetime
import json
import re
import statistics
import time
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts.models import RoleAssignment, User
from vanguard.campaigns import records
from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.demo.management.commands.bench_dashboards import (
    ANALYSIS_REQUIREMENTS,
    RECTIFICATION_REQUIREMENTS,
    STUDY_REQUIREMENTS,
    _requirements,
)
from vanguard.organization.models import Member, Unit

# Written as the note of the province admin's role: the database was made here.
MARK = "bench_scale --members "
BRANCH_SIZE = 20
BRANCHES_PER_COLLEGE = 50
COLLEGES_PER_UNIVERSITY = 20
# Tables the generation writes; a database whose other tables hold rows is refused.
# What `migrate` writes by itself: its own rows, and the records' version's table with
# the database's mark (campaigns.records).
MIGRATION_ROWS_OK = {"django_migrations", "django_content_type", "auth_permission", records.TABLE}


class Shape:
    """Ids of the generated units: root 1, universities 2…, colleges, then branches."""

    def __init__(self, members: int) -> None:
        self.members = members
        self.branches = -(-members // BRANCH_SIZE)
        self.colleges = -(-self.branches // BRANCHES_PER_COLLEGE)
        self.universities = -(-self.colleges // COLLEGES_PER_UNIVERSITY)
        self.college0 = 1 + self.universities  # college c has id college0 + c
        self.branch0 = self.college0 + self.colleges  # branch b has id branch0 + b
        self.last_unit = self.branch0 + self.branches

    def params(self) -> dict[str, int]:
        return {
            "n": self.members,
            "s": BRANCH_SIZE,
            "u": self.universities,
            "c": self.colleges,
            "b": self.branches,
            "c0": self.college0,
            "b0": self.branch0,
            "bpc": BRANCHES_PER_COLLEGE,
            "cpu": COLLEGES_PER_UNIVERSITY,
        }


ORGANISATION_SQL = (
    (
        "units",
        """
        INSERT INTO organization_unit
            (id, name, kind, branch_type, path, depth, sort_order, is_active, parent_id)
        VALUES (1, '规模测试省委', 'committee', '', '/1/', 0, 0, true, NULL);
        INSERT INTO organization_unit
            (id, name, kind, branch_type, path, depth, sort_order, is_active, parent_id)
        SELECT 1 + u, '第' || u || '高校党委', 'committee', '', '/1/' || (1 + u) || '/', 1, u,
               true, 1
        FROM generate_series(1, %(u)s) u;
        INSERT INTO organization_unit
            (id, name, kind, branch_type, path, depth, sort_order, is_active, parent_id)
        SELECT %(c0)s + c, '第' || c || '学院党委', 'committee', '',
               '/1/' || (2 + (c - 1) / %(cpu)s) || '/' || (%(c0)s + c) || '/', 2, c, true,
               2 + (c - 1) / %(cpu)s
        FROM generate_series(1, %(c)s) c;
        INSERT INTO organization_unit
            (id, name, kind, branch_type, path, depth, sort_order, is_active, parent_id)
        SELECT %(b0)s + b, '第' || b || '党支部', 'branch',
               (ARRAY['faculty', 'masters', 'doctoral', 'undergraduate'])[b %% 4 + 1],
               '/1/' || (2 + (b - 1) / %(bpc)s / %(cpu)s) || '/'
                   || (%(c0)s + 1 + (b - 1) / %(bpc)s) || '/' || (%(b0)s + b) || '/',
               3, b, true, %(c0)s + 1 + (b - 1) / %(bpc)s
        FROM generate_series(1, %(b)s) b;
        """,
    ),
    (
        "users",
        """
        INSERT INTO accounts_user
            (id, password, is_superuser, username, first_name, last_name, email, is_staff,
             is_active, date_joined, display_name)
        SELECT i, '!', false, 'm' || i, '', '', '', false, true, now(), '党员' || i
        FROM generate_series(1, %(n)s) i WHERE (i - 1) %% %(s)s < 2;
        INSERT INTO accounts_user
            (id, password, is_superuser, username, first_name, last_name, email, is_staff,
             is_active, date_joined, display_name)
        SELECT %(n)s + id, '!', false, 'admin' || id, '', '', '', false, true, now(), name
        FROM organization_unit WHERE kind = 'committee';
        """,
    ),
    (
        "members",
        """
        INSERT INTO organization_member
            (id, name, number, category, standing, joined_on, phone, email, is_active,
             updated_at, user_id, branch_id, party_group_id)
        SELECT i, '党员' || i, 'S' || lpad(i::text, 8, '0'),
               (ARRAY['faculty', 'staff', 'doctoral', 'masters', 'undergraduate',
                      'retired'])[i %% 6 + 1],
               CASE WHEN i %% 17 = 0 THEN 'probationary' ELSE 'formal' END,
               date '1980-01-01' + (i %% 15000), '', '', true, now(),
               CASE WHEN (i - 1) %% %(s)s < 2 THEN i END,
               %(b0)s + 1 + (i - 1) / %(s)s, NULL
        FROM generate_series(1, %(n)s) i;
        """,
    ),
    (
        "roles",
        """
        INSERT INTO accounts_roleassignment (role, granted_at, note, unit_id, user_id)
        SELECT 'branch_secretary', now(), '', %(b0)s + 1 + (i - 1) / %(s)s, i
        FROM generate_series(1, %(n)s, %(s)s) i;
        INSERT INTO accounts_roleassignment (role, granted_at, note, unit_id, user_id)
        SELECT 'committee_admin', now(),
               CASE WHEN id = 1 THEN %(mark)s ELSE '' END, id, %(n)s + id
        FROM organization_unit WHERE kind = 'committee';
        SELECT setval(pg_get_serial_sequence('organization_unit', 'id'),
                      (SELECT max(id) FROM organization_unit));
        SELECT setval(pg_get_serial_sequence('organization_member', 'id'),
                      (SELECT max(id) FROM organization_member));
        SELECT setval(pg_get_serial_sequence('accounts_user', 'id'),
                      (SELECT max(id) FROM accounts_user));
        """,
    ),
)

# A branch's lot follows its number b = id - b0: b %% 20 < 16 did the whole study
# phase (and moved on), 16–18 lag, 19 did nothing — four in five, as bench_dashboards.
CAMPAIGN_SQL = (
    (
        "study plans",
        """
        INSERT INTO study_studyplan
            (title, body, submitted_at, created_at, updated_at, branch_id, campaign_id,
             submitted_by_id)
        SELECT name || '学习讨论计划', '<p>集中学习与个人自学相结合。</p>',
               %(study_start)s + interval '3 days', now(), now(), id, %(campaign)s, NULL
        FROM organization_unit
        WHERE kind = 'branch' AND ((id - %(b0)s) %% 20 < 16 OR (id - %(b0)s) %% 20 = 16);
        """,
    ),
    (
        "study sessions",
        """
        INSERT INTO study_studysession
            (kind, topic, materials, speaker, place, starts_at, created_at, campaign_id,
             plan_id, unit_id)
        SELECT 'session', '学习讨论（第' || n || '次）', '《中国共产党章程》', '', '',
               %(study_start)s + n * interval '20 days' + interval '9 hours', now(),
               %(campaign)s, NULL, u.id
        FROM organization_unit u CROSS JOIN generate_series(1, 2) n
        WHERE u.kind = 'branch' AND ((u.id - %(b0)s) %% 20 < 16
              OR (n = 1 AND (u.id - %(b0)s) %% 20 IN (16, 17)));
        """,
    ),
    (
        "attendance",
        """
        INSERT INTO study_attendance (status, reason, method, recorded_at, member_id, session_id)
        SELECT 'present', '', 'qr', now(), m.id, s.id
        FROM study_studysession s JOIN organization_member m ON m.branch_id = s.unit_id
        WHERE s.campaign_id = %(campaign)s AND m.id %% 13 <> 0;
        """,
    ),
    (
        "study works",
        """
        INSERT INTO study_studywork
            (kind, title, material, body, attachment, attachment_name, attachment_type,
             upload_token, submitted_at, updated_at, reviewed_at, version, campaign_id,
             member_id, reviewed_by_id, entered_by_id, entered_by_role)
        SELECT k.kind, '学习《中国共产党章程》' || k.label, '《中国共产党章程》',
               '<p>通过学习，我进一步认识到保持共产党员先进性的重要意义。</p>', '', '', '',
               '', %(study_start)s + (m.id %% 60) * interval '1 day'
                   + (m.id %% 12) * interval '1 hour' + interval '8 hours',
               now(), NULL, 1, %(campaign)s, m.id, NULL, NULL, ''
        FROM organization_member m
        CROSS JOIN (VALUES ('reading_note', 1, '笔记'), ('reading_note', 2, '笔记'),
                           ('reflection', 1, '心得')) k(kind, n, label)
        WHERE ((m.branch_id - %(b0)s) %% 20 < 16 AND NOT (k.n = 2 AND m.id %% 20 = 7))
           OR ((m.branch_id - %(b0)s) %% 20 IN (16, 17, 18) AND k.kind = 'reading_note'
               AND k.n = 1 AND m.id %% 2 = 0);
        """,
    ),
    (
        "transitions and meetings",
        """
        INSERT INTO campaigns_phasetransition
            (reason, requirements_met, at, approved_by_id, branch_id, campaign_id,
             from_phase_id, to_phase_id)
        SELECT '学习动员阶段各项要求均已完成', true, now(), NULL, id, %(campaign)s,
               %(study)s, %(analysis)s
        FROM organization_unit WHERE kind = 'branch' AND (id - %(b0)s) %% 20 < 16;
        INSERT INTO meetings_meeting
            (kind, title, held_at, place, host, recorder, minutes, decisions, created_at,
             updated_at, campaign_id, created_by_id, phase_id, unit_id, submission_token,
             agenda, ends_at, roll_attendance)
        SELECT k.kind, u.name || k.label,
               %(analysis_start)s + k.n * interval '5 days' + interval '14 hours',
               '', '', '', '', '', now(), now(), %(campaign)s, NULL, %(analysis)s, u.id, NULL,
               '', NULL, false
        FROM organization_unit u
        CROSS JOIN (VALUES ('mobilisation', 1, '支部动员会'),
                           ('democratic_appraisal', 2, '民主评议会'),
                           ('grade_rating', 3, '等级评定会')) k(kind, n, label)
        WHERE u.kind = 'branch' AND (u.id - %(b0)s) %% 20 < 16 AND k.n <= (u.id - %(b0)s) %% 4;
        """,
    ),
)

# The tables a page reads that grow with the province.
COUNTED = (
    "organization_unit",
    "organization_member",
    "accounts_user",
    "study_studywork",
    "study_attendance",
    "study_studysession",
    "meetings_meeting",
)


class Command(BaseCommand):
    help = "Generate a province-sized organisation on PostgreSQL and measure pages and plans."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
        parser.add_argument("--explain", type=int, default=3, help="slowest queries explained")
        parser.add_argument(
            "--province",
            action="store_true",
            help="also time the province dashboard (the whole root: grows by design)",
        )
        parser.add_argument("--no-measure", action="store_true")

    def handle(self, *args: Any, members: int, runs: int, explain: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_scale needs PostgreSQL (make bench-scale gives it one).")
        if members < BRANCH_SIZE * 2:
            raise CommandError(f"--members must be at least {BRANCH_SIZE * 2}.")
        made = self.made_size()
        if made is None:
            self.generate(Shape(members))
        elif made != members:
            raise CommandError(
                f"This database holds {made:,} generated members, not {members:,}: "
                "make bench-scale recreates it."
            )
        else:
            self.stdout.write(f"reusing the {made:,} members generated here before")
        if not options["no_measure"]:
            self.measure(Shape(members), runs=runs, explain=explain, province=options["province"])

    # --- the database -------------------------------------------------------------

    def made_size(self) -> int | None:
        """The size this command generated here, None for an empty database; refuses
        a database with rows it did not write."""
        note = (
            RoleAssignment.objects.filter(unit_id=1, note__startswith=MARK)
            .values_list("note", flat=True)
            .first()
        )
        if note is not None:
            return int(note.removeprefix(MARK))
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_stat_user_tables")
            tables = [name for (name,) in cursor.fetchall() if name not in MIGRATION_ROWS_OK]
            busy = []
            for table in tables:
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608
                if cursor.fetchone()[0]:
                    busy.append(table)
        if busy:
            raise CommandError(
                "This database holds data that bench_scale did not make "
                f"({', '.join(sorted(busy)[:5])}…): use make bench-scale, which makes "
                "vanguard_scale afresh."
            )
        return None

    def generate(self, shape: Shape) -> None:
        self.stdout.write(
            f"generating {shape.members:,} members in {shape.branches:,} branches, "
            f"{shape.colleges:,} colleges, {shape.universities:,} universities"
        )
        started = time.perf_counter()
        params: dict[str, Any] = {**shape.params(), "mark": f"{MARK}{shape.members}"}
        with transaction.atomic(), connection.cursor() as cursor:
            for label, sql in ORGANISATION_SQL:
                self.timed(label, cursor, sql, params)
            campaign = campaign_create(root=Unit.objects.get(pk=1))
            phases = {p.key: p for p in campaign.phases.all()}
            params |= {
                "campaign": campaign.pk,
                "study": phases[Phase.Key.STUDY].pk,
                "analysis": phases[Phase.Key.ANALYSIS].pk,
                "study_start": phases[Phase.Key.STUDY].starts_on,
                "analysis_start": phases[Phase.Key.ANALYSIS].starts_on,
            }
            for label, sql in CAMPAIGN_SQL:
                self.timed(label, cursor, sql, params)
        with connection.cursor() as cursor:
            # VACUUM as well: the visibility map lets the planner use index-only scans,
            # as it would on a table autovacuum keeps. (Not possible inside a
            # transaction, such as a test's.)
            maintenance = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            self.timed(maintenance, cursor, maintenance, {})
            counts = []
            for table in COUNTED:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
                counts.append(f"{table} {cursor.fetchone()[0]:,}")
        self.stdout.write(
            self.style.SUCCESS(f"generated in {time.perf_counter() - started:.1f} s: ")
            + "; ".join(counts)
        )

    def timed(self, label: str, cursor: Any, sql: str, params: dict[str, Any]) -> None:
        started = time.perf_counter()
        cursor.execute(sql, params or None)
        self.stdout.write(f"  {label}: {time.perf_counter() - started:.1f} s")

    # --- the pages ----------------------------------------------------------------

    def measure(self, shape: Shape, *, runs: int, explain: int, province: bool) -> None:
        campaign = Campaign.objects.get(unit_id=1)
        branch = shape.branch0 + 1
        member_user = User.objects.get(pk=2)  # the first branch's plain member
        secretary = User.objects.get(pk=1)
        college, university = shape.college0 + 1, 2
        c = campaign.pk
        pages = [
            ("member home", member_user, "/"),
            ("member progress", member_user, f"/campaigns/{c}/progress/me/"),
            ("branch dashboard", secretary, f"/campaigns/?campaign={c}"),
            ("branch progress", secretary, f"/campaigns/{c}/progress/units/{branch}/"),
            ("college dashboard", self.admin_of(shape, college), f"/campaigns/?campaign={c}"),
            (
                "university dashboard",
                self.admin_of(shape, university),
                f"/campaigns/?campaign={c}",
            ),
        ]
        if province:
            pages.append(
                ("province dashboard", self.admin_of(shape, 1), f"/campaigns/?campaign={c}")
            )
        scope = {
            "college": Member.objects.filter(branch__path__startswith=f"/1/2/{college}/").count(),
            "university": Member.objects.filter(branch__path__startswith="/1/2/").count(),
        }
        self.stdout.write(
            f"pages at {shape.members:,} members (the college measured has "
            f"{scope['college']:,} members, the university {scope['university']:,}):"
        )
        for label, user, url in pages:
            self.page(
                label, user, url, runs=1 if label == "province dashboard" else runs, explain=explain
            )

    def admin_of(self, shape: Shape, unit_id: int) -> User:
        return User.objects.get(pk=shape.members + unit_id)

    def page(self, label: str, user: User, url: str, *, runs: int, explain: int) -> None:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        response = client.get(url)  # warm up: templates, translations, the session
        if response.status_code != 200:
            raise CommandError(f"{label}: {url} answered {response.status_code}")
        timings = []
        queries: list[dict[str, str]] = []
        for _run in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            queries = list(captured.captured_queries)
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} ({url}): median {statistics.median(timings) * 1000:.0f} ms "
                f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}) over {runs}, "
                f"{len(queries)} queries, {sql_ms:.0f} ms in SQL"
            )
        )
        slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:explain]
        for query in slowest:
            self.explain(query["sql"], float(query["time"]))

    def explain(self, sql: str, seconds: float) -> None:
        if not re.match(r"\s*(SELECT|WITH)\b", sql, re.IGNORECASE):
            return
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        top = plan[0]
        scans = sorted(
            {
                f"{node['Node Type']} on {node.get('Relation Name')}"
                + (f" ({node['Index Name']})" if node.get("Index Name") else "")
                + f" rows={node.get('Actual Rows', 0) * node.get('Actual Loops', 1):,}"
                for node in plan_nodes(top["Plan"])
                if "Relation Name" in node
            }
        )
        blocks = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
        self.stdout.write(
            f"    {seconds * 1000:7.1f} ms (explained {top.get('Execution Time', 0):.1f} ms, "
            f"{blocks:,} buffers) {shorten(sql)}"
        )
        for scan in scans:
            self.stdout.write(f"        {scan}")


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


def shorten(sql: str, width: int = 150) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def campaign_create(*, root: Unit) -> Campaign:
    """The campaign, its phases and requirements, as bench_dashboards makes them."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="保持共产党员先进性教育活动",
        kind=Campaign.Kind.EDUCATION,
        unit=root,
        year=today.year,
        status=Campaign.Status.ACTIVE,
    )
    days = datetime.timedelta
    study = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.STUDY,
        name="学习动员",
        order=1,
        starts_on=today - days(100),
        ends_on=today - days(30),
        status=Phase.Status.CLOSED,
    )
    analysis = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.ANALYSIS,
        name="分析评议",
        order=2,
        starts_on=today - days(29),
        ends_on=today + days(15),
        status=Phase.Status.OPEN,
    )
    rectification = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.RECTIFICATION,
        name="整改提高",
        order=3,
        starts_on=today + days(16),
        ends_on=today + days(80),
    )
    Requirement.objects.bulk_create(
        _requirements(study, STUDY_REQUIREMENTS)
        + _requirements(analysis, ANALYSIS_REQUIREMENTS)
        + _requirements(rectification, RECTIFICATION_REQUIREMENTS)
    )
    return campaign
