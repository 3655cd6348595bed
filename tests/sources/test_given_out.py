"""The quote budget's count of characters given out (`licensing.GivenOut`), and the agreements
loaded with the documents they govern (`agreements_column`), against their plain definitions."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sources.licensing import (
    Excerpt,
    GivenOut,
    agreements_column,
    agreements_for,
    agreements_from_column,
)
from sources.models import Document
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
)


def positions(excerpt: Excerpt) -> set:
    """The definition: the code points an excerpt covers; unanchored text counts on its own."""
    if excerpt.start is None or excerpt.end is None:
        return {(excerpt.key, index) for index in range(excerpt.characters)}
    return set(range(excerpt.start, excerpt.end))


anchored = st.tuples(st.integers(0, 300), st.integers(-5, 80)).map(
    lambda t: (t[0], t[0] + t[1], max(0, t[1]))
)
loose = st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 60)).map(
    lambda t: (None, None, t[1], t[0])
)


@given(st.lists(st.one_of(anchored, loose), max_size=40))
def test_given_out_counts_the_distinct_characters_of_every_excerpt_added(spans):
    given_out, covered = GivenOut(), set()
    for index, span in enumerate(spans):
        start, end, characters = span[:3]
        key = ("loose", span[3]) if start is None else ("quote", index)
        excerpt = Excerpt(key, 1, start, end, characters)
        assert given_out.size_with(excerpt) == len(covered | positions(excerpt))
        given_out.add(excerpt)
        covered |= positions(excerpt)
        assert len(given_out) == len(covered)


@pytest.mark.postgres
@pytest.mark.django_db
def test_agreements_loaded_with_the_documents_are_those_agreements_for_finds():
    group = OrganizationFactory(name="Group")
    title = OrganizationFactory(name="Title", parent=group)
    other = OrganizationFactory(name="Other")
    today = timezone.now().date()  # as Agreement.objects.in_force() reads it
    AgreementFactory(holder=group, max_external_quote_chars=100)
    AgreementFactory(holder=other, valid_until=today - datetime.timedelta(days=1))
    AgreementFactory(holder=other, valid_from=today, max_external_quote_chars=7)
    newest = AgreementFactory(holder=other, valid_from=today, max_external_quote_chars=9)
    for holder in (group, title, other, OrganizationFactory()):
        # published under another name than the terms' holder's, as agency copy is
        DocumentFactory(license=LicenseTermsFactory(holder=holder), publisher=OrganizationFactory())
    DocumentFactory(license=None)

    documents = list(
        Document.objects.select_related(
            "publisher", "publication", "license__holder__parent"
        ).annotate(_agreements=agreements_column("license"))
    )
    loaded = agreements_from_column(documents)
    expected = agreements_for(document.license for document in documents)

    def shape(agreement):
        if agreement is None:
            return None
        fields = [f.attname for f in agreement._meta.concrete_fields]
        return {name: getattr(agreement, name) for name in fields} | {
            "holder": str(agreement.holder)
        }

    assert {k: shape(v) for k, v in loaded.items()} == {k: shape(v) for k, v in expected.items()}
    assert sum(v is not None for v in loaded.values()) == 3  # group, title (its group), other
    assert loaded[documents[2].license_id].pk == newest.pk
