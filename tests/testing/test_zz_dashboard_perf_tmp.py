import datetime
import random
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from testing import dashboard as calc
from testing.models import Defect, Execution, TestCase, TestCycle, TestPlan

pytestmark = pytest.mark.django_db

def test_perf(project, client_for):
    rnd = random.Random(1)
    plan = TestPlan.objects.create(project=project, name="P")
    cases = TestCase.objects.bulk_create([TestCase(project=project, number=i + 1, title=f"C{i}", steps="a | b",
        use_cases=f"UC-{i % 300} Thing {i % 300}", business_rules=f"BR-{i % 50}") for i in range(2000)])
    cycles = []
    for n in range(10):
        c = TestCycle.objects.create(project=project, plan=plan, name=f"Cyc{n}", start=datetime.date(2025, 1, 1) + datetime.timedelta(days=20 * n))
        c.cases.set(cases[n * 200:(n + 1) * 200 + 100])
        cycles.append(c)
    ex = []
    num = 0
    for c in cycles:
        for case in c.cases.all():
            for k in range(3):
                num += 1
                ex.append(Execution(project=project, number=num, cycle=c, case=case, result=rnd.choice(["passed", "failed", "blocked", "not_run", "passed_with_remarks"]),
                    executed_at=timezone.make_aware(datetime.datetime.combine(c.start, datetime.time(10))) + datetime.timedelta(days=rnd.randint(0, 25))))
    Execution.objects.bulk_create(ex)
    ds = []
    for i in range(3000):
        d = Defect(project=project, number=i + 1, title=f"D{i}", severity=rnd.randint(1, 4), status=rnd.choice(["new", "closed", "rejected", "retest"]),
                   cycle=rnd.choice(cycles), case=rnd.choice(cases))
        ds.append(d)
    Defect.objects.bulk_create(ds)
    for d in Defect.objects.filter(project=project):
        d.status = "closed"; d.save()
    client = client_for("viewer")
    client.get(reverse("testing:dashboard", kwargs={"project": project.pk}))
    t = time.perf_counter()
    b = calc.build(project, timezone.localdate())
    print("build", time.perf_counter() - t)
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        r = client.get(reverse("testing:dashboard", kwargs={"project": project.pk}))
        print("page", time.perf_counter() - t, len(r.content), len(q.captured_queries))
    import cProfile
    import pstats
    pr = cProfile.Profile(); pr.enable()
    t = time.perf_counter()
    r = client.get(reverse("testing:traceability-xlsx", kwargs={"project": project.pk}))
    print("xlsx", time.perf_counter() - t, len(r.content))
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
    pr = cProfile.Profile(); pr.enable()
    r = client.get(reverse("testing:dashboard", kwargs={"project": project.pk}))
    pr.disable(); pstats.Stats(pr).sort_stats("tottime").print_stats(20)
