"""Change summaries between catalog versions and their stored JSON form."""

from __future__ import annotations

from dataclasses import replace

from custos.catalog.diff import describe, summarize, summary_from_json, summary_to_json
from custos.catalog.loader import load_catalog
from custos.catalog.model import Mask, SectionChanges


def test_first_version_adds_everything(example_text: str) -> None:
    catalog = load_catalog(example_text)
    summary = summarize(None, catalog)
    assert set(summary.fields.added) == set(catalog.fields)
    assert summary.roles.removed == ()
    assert summary.organization_changed


def test_added_removed_and_changed_names(example_text: str) -> None:
    old = load_catalog(example_text)
    fields = dict(old.fields)
    del fields["device_id"]
    fields["mobile"] = replace(fields["mobile"], default_mask=Mask.MASK)
    roles = dict(old.roles)
    roles["trainee"] = replace(roles["auditor"], key="trainee")
    new = replace(old, fields=fields, roles=roles)
    summary = summarize(old, new)
    assert summary.fields == SectionChanges(removed=("device_id",), changed=("mobile",))
    assert summary.roles == SectionChanges(added=("trainee",))
    assert not summary.purposes
    assert not summary.organization_changed
    assert describe(summary) == "fields +0 -1 ~1; purposes +0 -0 ~0; roles +1 -0 ~0"


def test_identical_catalogs_have_an_empty_summary(example_text: str) -> None:
    assert summarize(load_catalog(example_text), load_catalog(example_text)).is_empty


def test_summary_round_trips_through_json(example_text: str) -> None:
    summary = summarize(None, load_catalog(example_text))
    assert summary_from_json(summary_to_json(summary)) == summary
