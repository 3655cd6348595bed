"""factory_boy factories for the claims app, and the reference story's two articles (excerpts)."""

import factory
from django.utils.text import slugify

from claims.models import (
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ExternalCheck,
    Topic,
)
from sources.models import Organization
from tests.factories import (
    AnonymousSourceFactory,
    DocumentFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
)

# Short excerpts of the two November 2025 articles (DESIGN.md §1), not the full text.
ARTICLE_A_BODY = (
    "The United States has put plans to sanction China's Ministry of State Security on hold "
    "to avoid derailing a trade deal the two countries signed in October, current and former "
    "US officials told the Financial Times, speaking on condition of anonymity.\n\n"
    "According to several of the sources, US President Donald Trump's administration will not "
    "implement any new major export controls with China.\n\n"
    "The Reuters news agency was not immediately able to verify the reports. The White House "
    "did not immediately respond to Reuters' request for comment."
)
ARTICLE_A_SANCTIONS = (
    "The United States has put plans to sanction China's Ministry of State Security on hold"
)
ARTICLE_A_EXPORT_CONTROLS = (
    "US President Donald Trump's administration will not implement any new major export "
    "controls with China"
)

ARTICLE_B_BODY = (
    "Current and former US officials told The Financial Times that the plan to impose sanctions "
    "was 'put on hold' to avoid undermining the US-China détente.\n\n"
    "... US President Donald Trump's administration is also planning to enact major new export "
    "controls against China ...\n\n"
    "'The administration appears to be giving ground on export controls ...,' Zack Cooper, an "
    "Asia security expert at the American Enterprise Institute, told FT."
)
ARTICLE_B_SANCTIONS = "the plan to impose sanctions was 'put on hold'"
ARTICLE_B_EXPORT_CONTROLS = (
    "US President Donald Trump's administration is also planning to enact major new export "
    "controls against China"
)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda t: slugify(t.name))


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"Claim number {n} holds.")
    summary = factory.Sequence(lambda n: f"Claim {n}")


class AppearanceFactory(factory.django.DjangoModelFactory):
    """An appearance quoting the document's first paragraph, unless `exact` is given."""

    class Meta:
        model = Appearance

    claim = factory.SubFactory(ClaimFactory)
    document = factory.SubFactory(DocumentFactory)
    exact = factory.LazyAttribute(lambda a: a.document.body.split("\n\n")[0])
    start = factory.LazyAttribute(lambda a: a.document.body.index(a.exact))
    end = factory.LazyAttribute(lambda a: a.start + len(a.exact))
    prefix = factory.LazyAttribute(lambda a: a.document.body[max(0, a.start - 32) : a.start])
    suffix = factory.LazyAttribute(lambda a: a.document.body[a.end : a.end + 32])


class AttributionFactory(factory.django.DjangoModelFactory):
    """An anonymous origin at position 0, unless told otherwise."""

    class Meta:
        model = Attribution

    appearance = factory.SubFactory(AppearanceFactory)
    position = 0
    role = Attribution.Role.ORIGIN
    verb = "told"
    anonymous_source = factory.SubFactory(AnonymousSourceFactory)


class ExternalCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalCheck

    claim = factory.SubFactory(ClaimFactory)
    organization = factory.SubFactory(
        OrganizationFactory, name="Reuters", kind=Organization.Kind.NEWS_AGENCY
    )
    outcome = ExternalCheck.Outcome.COULD_NOT_VERIFY


class ClaimRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimRelation

    from_claim = factory.SubFactory(ClaimFactory)
    to_claim = factory.SubFactory(ClaimFactory)
    kind = ClaimRelation.Kind.REFINES
    reason = "Recorded by a test."


def article_a(**kwargs):
    """Article A: Danish Offshore Industry (DK Medier), credited ritzau, TDM reserved."""
    dk_medier = OrganizationFactory(name="DK Medier", kind=Organization.Kind.PUBLISHER)
    title = OrganizationFactory(
        name="Danish Offshore Industry", kind=Organization.Kind.PUBLICATION, parent=dk_medier
    )
    defaults = {
        "publisher": dk_medier,
        "publication": title,
        "agency_credit": "ritzau",
        "headline": "US puts sanctions on China's spy agency on hold",
        "body": ARTICLE_A_BODY,
        "license": ReservedLicenseTermsFactory(holder=dk_medier),
    }
    return DocumentFactory(**{**defaults, **kwargs})


def article_b(**kwargs):
    """Article B: another online outlet, also relaying the FT."""
    defaults = {
        "publisher": OrganizationFactory(name="Outlet B", kind=Organization.Kind.PUBLICATION),
        "headline": "US shelves sanctions to protect détente",
        "body": ARTICLE_B_BODY,
    }
    return DocumentFactory(**{**defaults, **kwargs})
