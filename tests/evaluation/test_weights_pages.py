"""The criteria tree, direct weights, starter catalogues and pairwise comparisons (evaluation/weights.py).

The tree used here (weights in percent, local to their level):

    Functional 60            Sales 50, Service 50, knock-out "Hosted in the region"
    Integration 40           ERP link 70, Open API 30

Users (tests/conftest.py): pm leads the evaluation, evaluator is on its team, member and steering
may only read, viewer and trainer have no access to evaluations, outsider is in no project.
"""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.urls import reverse

from evaluation import ahp, catalogue, weights
from evaluation.choices import Weighting
from evaluation.models import Category, Criterion, Evaluation, Judgement, TeamMember

pytestmark = pytest.mark.django_db


def eurl(name, evaluation):
    return reverse(f"evaluation:{name}", kwargs={"project": evaluation.project_id, "pk": evaluation.pk})


def add_category(evaluation, name, weight, parent=None, order=0):
    return Category.objects.create(
        evaluation=evaluation, project=evaluation.project, name=name, weight=Decimal(weight), parent=parent, order=order
    )


def add_criterion(evaluation, category, name, weight, knockout=False, order=0):
    return Criterion.objects.create(
        evaluation=evaluation, project=evaluation.project, category=category, name=name, weight=Decimal(weight),
        knockout=knockout, order=order,
    )


@pytest.fixture
def evaluation(project, users):
    evaluation = Evaluation.objects.create(project=project, name="CRM software", lead=users["pm"])
    TeamMember.objects.create(evaluation=evaluation, project=project, user=users["evaluator"])
    return evaluation


@pytest.fixture
def tree(evaluation):
    functional = add_category(evaluation, "Functional", 60, order=1)
    integration = add_category(evaluation, "Integration", 40, order=2)
    return {
        "functional": functional,
        "integration": integration,
        "sales": add_criterion(evaluation, functional, "Sales", 50, order=1),
        "service": add_criterion(evaluation, functional, "Service", 50, order=2),
        "hosted": add_criterion(evaluation, functional, "Hosted in the region", 0, knockout=True, order=3),
        "erp": add_criterion(evaluation, integration, "ERP link", 70, order=1),
        "api": add_criterion(evaluation, integration, "Open API", 30, order=2),
    }


def weights_form(tree, **changes):
    """POST data of the direct-weights form as the page renders it, with some weights changed."""
    data = {}
    for name, row in tree.items():
        if getattr(row, "knockout", False):
            continue
        key = weights.item_key(row)
        data[f"w-{key}"] = str(changes.get(name, row.weight))
        data[f"v-{key}"] = str(row.version)
    return data


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["criteria-tree", "ahp"])
def test_pages_answer_by_role(client_for, evaluation, tree, name):
    url = eurl(name, evaluation)
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("viewer").get(url).status_code == 403  # viewers have no evaluation access
    assert client_for("trainer").get(url).status_code == 403
    for role in ("pm", "evaluator", "member", "steering"):
        assert client_for(role).get(url).status_code == 200, role
    assert client_for("anonymous").get(url).status_code == 302


@pytest.mark.parametrize("name", ["criteria-weights", "criteria-catalogue", "ahp", "ahp-apply"])
def test_readers_cannot_post(client_for, evaluation, tree, name):
    url = eurl(name, evaluation)
    assert client_for("member").post(url, {}).status_code == 403
    assert client_for("steering").post(url, {}).status_code == 403
    assert client_for("viewer").post(url, {}).status_code == 403
    assert client_for("outsider").post(url, {}).status_code == 404


def test_post_only_urls_refuse_get(pm_client, evaluation):
    for name in ("criteria-weights", "criteria-catalogue", "ahp-apply"):
        assert pm_client.get(eurl(name, evaluation)).status_code == 405


def test_other_projects_evaluation_is_not_found(pm_client, other_project, users):
    other = Evaluation.objects.create(project=other_project, name="Theirs")
    assert pm_client.get(eurl("criteria-tree", other)).status_code == 404


# --- The tree -----------------------------------------------------------------------------------------


def test_tree_shows_local_and_global_weights(client_for, evaluation, tree):
    response = client_for("member").get(eurl("criteria-tree", evaluation))
    rows = {r["row"].name: r for r in response.context["rows"]}
    assert [r["row"].name for r in response.context["rows"]] == [
        "Functional", "Sales", "Service", "Hosted in the region", "Integration", "ERP link", "Open API",
    ]
    assert rows["Sales"]["global"] == pytest.approx(30.0)
    assert rows["ERP link"]["global"] == pytest.approx(28.0)
    assert rows["Functional"]["global"] == pytest.approx(60.0)
    assert rows["Hosted in the region"]["global"] is None and rows["Hosted in the region"]["local"] is None
    assert rows["ERP link"]["depth"] == 1 and rows["Integration"]["depth"] == 0
    assert response.context["problems"] == []
    html = response.content.decode()
    assert "knock-out" in html and "28.00%" in html
    assert "Entered directly" in html
    assert eurl("ahp", evaluation) in html
    # A reader gets no forms and no edit links.
    assert "criteria/weights/" not in html and "/edit/" not in html


def test_tree_links_to_edit_and_prefilled_create(pm_client, evaluation, tree):
    html = pm_client.get(eurl("criteria-tree", evaluation)).content.decode()
    project = evaluation.project_id
    assert reverse("evaluation:criteria-edit", kwargs={"project": project, "pk": tree["sales"].pk}) in html
    assert reverse("evaluation:categories-edit", kwargs={"project": project, "pk": tree["functional"].pk}) in html
    assert reverse("evaluation:categories-create", kwargs={"project": project}) + f"?evaluation={evaluation.pk}" in html
    assert (
        reverse("evaluation:criteria-create", kwargs={"project": project})
        + f"?evaluation={evaluation.pk}&amp;category={tree['functional'].pk}"
    ) in html


def test_tree_lists_the_weight_problems(client_for, evaluation, tree):
    Criterion.objects.filter(pk=tree["api"].pk).update(weight=Decimal(25))
    response = client_for("member").get(eurl("criteria-tree", evaluation))
    assert response.context["problems"] == ["The weights in “Integration” add up to 95.00%, not 100%."]
    assert "The weights in “Integration” add up to 95.00%, not 100%." in response.content.decode()


@pytest.mark.parametrize("name", ["criteria-tree", "ahp"])
def test_pages_query_count_does_not_grow_with_the_tree(pm_client, evaluation, tree, name, django_assert_max_num_queries):
    for k in range(10):
        category = add_category(evaluation, f"Extra {k}", 0)
        add_criterion(evaluation, category, f"Extra criterion {k}", 100)
    with django_assert_max_num_queries(15):
        assert pm_client.get(eurl(name, evaluation)).status_code == 200


# --- Direct weights ----------------------------------------------------------------------------------


def test_valid_direct_weights_are_saved_with_history(client_for, evaluation, tree, users):
    data = weights_form(tree, functional="55", integration="45", sales="40", service="60")
    response = client_for("evaluator").post(eurl("criteria-weights", evaluation), data, follow=True)
    assert response.redirect_chain[-1][0] == eurl("criteria-tree", evaluation)
    assert "Weights saved (4 changed)." in texts(response)
    sales = Criterion.objects.get(pk=tree["sales"].pk)
    functional = Category.objects.get(pk=tree["functional"].pk)
    assert (sales.weight, functional.weight) == (Decimal("40.00"), Decimal("55.00"))
    assert sales.version == tree["sales"].version + 1
    latest = sales.history.order_by("history_id").last()
    assert latest.weight == Decimal("40.00") and latest.history_user == users["evaluator"]
    # Unchanged rows are not touched (no empty history rows).
    erp = Criterion.objects.get(pk=tree["erp"].pk)
    assert erp.version == tree["erp"].version and erp.history.count() == 1
    assert response.context["problems"] == []


def test_a_level_that_does_not_add_up_saves_nothing(pm_client, evaluation, tree):
    data = weights_form(tree, sales="40", service="60", erp="70", api="25")
    response = pm_client.post(eurl("criteria-weights", evaluation), data)
    assert response.status_code == 200
    assert "The weights in “Integration” add up to 95.00%, not 100%." in texts(response)
    assert Criterion.objects.get(pk=tree["sales"].pk).weight == Decimal(50)  # the valid level is not saved either
    assert Criterion.objects.get(pk=tree["api"].pk).weight == Decimal(30)
    html = response.content.decode()
    assert 'name="w-c%d" value="25"' % tree["api"].pk in html  # the typed values stay in the form
    assert 'name="w-c%d" value="40"' % tree["sales"].pk in html


def test_top_level_and_bad_numbers_are_named(pm_client, evaluation, tree):
    data = weights_form(tree, functional="70", sales="abc", service="-5")
    messages = texts(pm_client.post(eurl("criteria-weights", evaluation), data))
    assert "The weights at the top level add up to 110.00%, not 100%." in messages
    assert "The weight of “Sales” is not a number: “abc”." in messages
    assert "The weight of “Service” must lie between 0 and 100%." in messages
    assert Category.objects.get(pk=tree["functional"].pk).weight == Decimal(60)


def test_a_row_changed_meanwhile_refuses_the_whole_save(pm_client, evaluation, tree, users):
    data = weights_form(tree, functional="50", integration="50", sales="45", service="55")
    # Someone else edits Service after the form was opened.
    service = Criterion.objects.get(pk=tree["service"].pk)
    service.weight, service.version = Decimal("50.00"), service.version + 1
    service._history_user = users["evaluator"]
    service.description = "changed"
    service.save()
    response = pm_client.post(eurl("criteria-weights", evaluation), data)
    messages = texts(response)
    assert len(messages) == 1 and messages[0].startswith("“Service” was changed by Evaluator while you were editing")
    assert Category.objects.get(pk=tree["functional"].pk).weight == Decimal(60)
    assert Criterion.objects.get(pk=tree["sales"].pk).weight == Decimal(50)
    # The form comes back with the typed values and the current version, so saving again works.
    html = response.content.decode()
    assert f'name="v-c{service.pk}" value="{service.version}"' in html
    assert f'name="w-c{tree["sales"].pk}" value="45"' in html
    data[f"v-c{service.pk}"] = str(service.version)
    pm_client.post(eurl("criteria-weights", evaluation), data)
    assert Criterion.objects.get(pk=tree["service"].pk).weight == Decimal(55)


def test_saving_direct_weights_switches_an_ahp_evaluation_back(pm_client, evaluation, tree):
    Evaluation.objects.filter(pk=evaluation.pk).update(weighting=Weighting.AHP)
    response = pm_client.post(eurl("criteria-weights", evaluation), weights_form(tree, sales="40", service="60"), follow=True)
    assert "The evaluation now uses directly entered weights." in texts(response)
    assert Evaluation.objects.get(pk=evaluation.pk).weighting == Weighting.DIRECT


# --- Starter catalogues ------------------------------------------------------------------------------


def test_catalogue_adds_categories_and_criteria_in_the_chosen_language(pm_client, evaluation, users):
    source = catalogue.load("software", "zh-hant")
    response = pm_client.post(
        eurl("criteria-catalogue", evaluation),
        {"catalogue": "software", "language": "zh-hant", "category": [c.key for c in source.categories]},
        follow=True,
    )
    categories = list(Category.objects.filter(evaluation=evaluation).order_by("order"))
    assert len(categories) == len(source.categories) == 13
    assert Criterion.objects.filter(evaluation=evaluation).count() == len(source.criteria) == 43
    assert [c.name for c in categories] == [c.name for c in source.categories]
    assert categories[0].name == "功能範圍"  # Traditional Chinese, whatever the page's language
    assert categories[0].catalogue_key == "software:functional-scope" and categories[0].parent is None
    assert sum(c.weight for c in categories) == Decimal(100)
    weighted = next(k for k in source.criteria if not k.knockout)
    row = Criterion.objects.get(evaluation=evaluation, catalogue_key=f"software:{weighted.key}")
    assert row.anchors.splitlines() == list(weighted.scale) and (row.scale_min, row.scale_max) == (0, 5)
    assert row.weight == Decimal(weighted.weight) and not row.knockout
    knockout = next(k for k in source.criteria if k.knockout)
    row = Criterion.objects.get(evaluation=evaluation, catalogue_key=f"software:{knockout.key}")
    assert row.knockout and row.weight == 0 and row.anchors == knockout.pass_text
    assert row.history.get().history_user == users["pm"]
    assert texts(response) == ["Added 13 categories and 43 criteria from the starter catalogue."]
    assert response.context["problems"] == []  # the catalogue's weights add up at every level


def test_catalogue_skips_categories_already_added(pm_client, evaluation):
    source = catalogue.load("software", "en")
    first, second = source.categories[0], source.categories[1]
    url = eurl("criteria-catalogue", evaluation)
    pm_client.post(url, {"catalogue": "software", "language": "en", "category": [first.key]})
    assert Category.objects.filter(evaluation=evaluation).count() == 1
    response = pm_client.post(url, {"catalogue": "software", "language": "en", "category": [first.key, second.key]},
                              follow=True)
    assert Category.objects.filter(evaluation=evaluation).count() == 2
    assert f"Already in this evaluation, so not added again: {first.name}." in texts(response)
    # Only top-level categories of the catalogue: next to them the problems list says what to fix.
    assert response.context["problems"]


def test_catalogue_texts_default_to_the_readers_language(pm_client, evaluation):
    source = catalogue.load("partner", "zh-hans")
    page = pm_client.get(eurl("criteria-tree", evaluation), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.context["language"] == "zh-hans"
    assert source.name in page.content.decode()  # the catalogues are listed in the reader's language
    pm_client.post(
        eurl("criteria-catalogue", evaluation), {"catalogue": "partner", "category": [source.categories[0].key]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert Category.objects.get(evaluation=evaluation).name == source.categories[0].name


def test_catalogue_needs_a_choice(pm_client, evaluation):
    url = eurl("criteria-catalogue", evaluation)
    response = pm_client.post(url, {"catalogue": "software", "language": "en"}, follow=True)
    assert texts(response) == ["Choose at least one category of the catalogue."]
    response = pm_client.post(url, {"catalogue": "nope", "category": ["x"]}, follow=True)
    assert texts(response) == ["Choose one of the starter catalogues."]
    assert not Category.objects.filter(evaluation=evaluation).exists()


# --- Pairwise comparisons (AHP) ----------------------------------------------------------------------

# Saaty (1990) EJOR 48, 9-26, houses A, B, C on size: A:B = 6, A:C = 8, B:C = 4; published
# priorities .754 .181 .065 and CR 0.117 (tests/evaluation/test_ahp.py).
HOUSE_SIZE = {("a", "b"): "6", ("a", "c"): "8", ("b", "c"): "4"}


@pytest.fixture
def houses(evaluation):
    return {
        "a": add_category(evaluation, "House A", 40, order=1),
        "b": add_category(evaluation, "House B", 30, order=2),
        "c": add_category(evaluation, "House C", 30, order=3),
    }


def judgement_form(items, values, level=""):
    data = {"level": level}
    for (a, b), value in values.items():
        data[f"j-{weights.item_key(items[a])}-{weights.item_key(items[b])}"] = value
    return data


def top_level(response):
    return next(entry for entry in response.context["levels"] if entry["level"].key == "")


def test_saatys_three_item_example(client_for, evaluation, houses, users):
    client = client_for("evaluator")
    response = client.post(eurl("ahp", evaluation), judgement_form(houses, HOUSE_SIZE), follow=True)
    assert "Your comparisons are saved (3)." in texts(response)
    saved = Judgement.objects.filter(evaluation=evaluation, evaluator=users["evaluator"], level="")
    assert saved.count() == 3
    entry = top_level(response)
    mine = [item["mine"] / 100 for item in entry["items"]]
    assert mine == pytest.approx([0.754, 0.181, 0.065], abs=1e-3)
    assert entry["mine"].consistency.cr == pytest.approx(0.117, abs=1e-3)
    html = response.content.decode()
    assert "0.117" in html and "above 0.10" in html  # the CR warning
    # The form shows the saved judgements selected.
    assert '<option value="6" selected>House A: Strong plus (6)</option>' in html
    # Saving again replaces the set: one comparison cleared, one changed.
    client.post(eurl("ahp", evaluation), judgement_form(houses, {("a", "b"): "1/2", ("a", "c"): "", ("b", "c"): "4"}))
    assert sorted(saved.values_list("value", flat=True)) == [0.5, 4.0]


def test_missing_comparisons_are_completed_by_harker(client_for, evaluation, houses):
    response = client_for("evaluator").post(
        eurl("ahp", evaluation), judgement_form(houses, {("a", "b"): "2", ("b", "c"): "2"}), follow=True
    )
    entry = top_level(response)
    assert entry["mine"].completed
    assert [item["mine"] / 100 for item in entry["items"]] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert "the missing comparisons were completed by Harker's method" in response.content.decode()


def test_an_item_compared_with_nothing_is_saved_with_a_warning(client_for, evaluation, houses):
    response = client_for("evaluator").post(
        eurl("ahp", evaluation), judgement_form(houses, {("a", "b"): "2"}), follow=True
    )
    assert any("House C is not compared with any other item." in m for m in texts(response))
    entry = top_level(response)
    assert entry["mine"].error and entry["group"] is None


def test_group_result_is_the_geometric_mean(client_for, evaluation, houses):
    first = {("a", "b"): "3", ("a", "c"): "5", ("b", "c"): "2"}
    second = {("a", "b"): "1/2", ("a", "c"): "2", ("b", "c"): "6"}
    client_for("evaluator").post(eurl("ahp", evaluation), judgement_form(houses, first))
    response = client_for("pm").post(eurl("ahp", evaluation), judgement_form(houses, second), follow=True)  # the lead

    def matrix(values):
        m = np.ones((3, 3))
        for (a, b), text in values.items():
            i, j = "abc".index(a), "abc".index(b)
            m[i, j] = float(Fraction(text))
            m[j, i] = 1 / m[i, j]
        return m

    expected = ahp.priorities(np.sqrt(matrix(first) * matrix(second)))
    entry = top_level(response)
    assert [item["group"] / 100 for item in entry["items"]] == pytest.approx(expected.tolist(), abs=1e-9)
    assert len(entry["result"].people) == 2
    assert {p.name for p in entry["result"].people} == {"Evaluator", "Pm"}
    html = response.content.decode()
    assert f"{entry['group'].consistency.cr:.3f}" in html  # the group CR
    for person in entry["result"].people:
        assert f"{person.consistency.cr:.3f}" in html  # each evaluator's CR


def test_only_the_team_and_the_lead_give_comparisons(client_for, evaluation, houses, users):
    TeamMember.objects.filter(evaluation=evaluation).delete()
    # Like the other lead- and team-only actions: the reason and a redirect (a reader gets 403).
    response = client_for("evaluator").post(eurl("ahp", evaluation), judgement_form(houses, HOUSE_SIZE), follow=True)
    assert texts(response) == ["Only the evaluation team and the lead give pairwise comparisons."]
    assert not Judgement.objects.exists()
    page = client_for("evaluator").get(eurl("ahp", evaluation))
    assert page.context["can_judge"] is False and "Save my comparisons" not in page.content.decode()


def test_off_scale_judgement_is_refused(client_for, evaluation, houses):
    response = client_for("evaluator").post(
        eurl("ahp", evaluation), judgement_form(houses, {("a", "b"): "11"}), follow=True
    )
    assert texts(response) == ["House A vs House B: 11 is not on Saaty's 1–9 scale."]
    assert not Judgement.objects.exists()


def test_a_level_too_big_is_said_so(client_for, evaluation):
    parent = add_category(evaluation, "Everything", 100)
    for k in range(ahp.MAX_ITEMS + 1):
        add_criterion(evaluation, parent, f"Criterion {k:02}", Decimal("6.25"))
    response = client_for("member").get(eurl("ahp", evaluation))
    entry = next(e for e in response.context["levels"] if e["level"].key == f"g{parent.pk}")
    assert entry["too_big"]
    assert "too many for pairwise comparison" in response.content.decode()


def test_apply_writes_group_weights_summing_to_100(client_for, evaluation, tree, users):
    functional, integration = tree["functional"], tree["integration"]
    top = {("f", "i"): "3"}
    inside = {("s", "v"): "1/3"}
    items = {"f": functional, "i": integration, "s": tree["sales"], "v": tree["service"]}
    for who in ("evaluator", "pm"):
        client_for(who).post(eurl("ahp", evaluation), judgement_form(items, top))
        client_for(who).post(eurl("ahp", evaluation), judgement_form(items, inside, level=f"g{functional.pk}"))
    refused = client_for("evaluator").post(eurl("ahp-apply", evaluation), follow=True)  # not the lead
    assert texts(refused) == ["Only the evaluation lead can apply the group's weights."]
    assert Category.objects.get(pk=functional.pk).weight == Decimal(60)
    assert Evaluation.objects.get(pk=evaluation.pk).weighting == Weighting.DIRECT

    response = client_for("pm").post(eurl("ahp-apply", evaluation), follow=True)
    messages = texts(response)
    assert messages[0].startswith("The group's weights are applied to 2 levels")
    assert "Nobody has compared these levels yet, so they keep their weights: Integration." in messages
    assert Category.objects.get(pk=functional.pk).weight == Decimal("75.00")
    assert Category.objects.get(pk=integration.pk).weight == Decimal("25.00")
    assert Criterion.objects.get(pk=tree["sales"].pk).weight == Decimal("25.00")
    assert Criterion.objects.get(pk=tree["erp"].pk).weight == Decimal(70)  # not compared: unchanged
    assert Evaluation.objects.get(pk=evaluation.pk).weighting == Weighting.AHP
    latest = Category.objects.get(pk=functional.pk).history.order_by("history_id").last()
    assert latest.history_user == users["pm"]
    assert response.context["problems"] == []


def test_apply_rounds_each_level_to_exactly_100(client_for, evaluation, houses):
    client_for("pm").post(eurl("ahp", evaluation), judgement_form(houses, {("a", "b"): "1", ("a", "c"): "1", ("b", "c"): "1"}))
    client_for("pm").post(eurl("ahp-apply", evaluation))
    values = [Category.objects.get(pk=h.pk).weight for h in houses.values()]
    assert sum(values) == Decimal("100.00")
    assert sorted(values) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_apply_without_comparisons_is_refused(pm_client, evaluation, tree):
    response = pm_client.post(eurl("ahp-apply", evaluation), follow=True)
    assert texts(response) == ["Nobody has given pairwise comparisons yet: there are no weights to apply."]
    assert Evaluation.objects.get(pk=evaluation.pk).weighting == Weighting.DIRECT


@pytest.mark.parametrize(
    ("fractions", "expected"),
    [
        ([1 / 3, 1 / 3, 1 / 3], ["33.34", "33.33", "33.33"]),
        ([0.754, 0.181, 0.065], ["75.40", "18.10", "6.50"]),
        ([1 / 7, 2 / 7, 4 / 7], ["14.29", "28.57", "57.14"]),
        ([1.0], ["100.00"]),
    ],
)
def test_percentages_add_up_to_exactly_100(fractions, expected):
    result = weights.percentages(fractions)
    assert result == [Decimal(e) for e in expected]
    assert sum(result) == Decimal("100.00")
