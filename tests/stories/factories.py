"""factory_boy factories for stories, and the demo story's body (the newsroom's own words)."""

import factory

from newsroom.stories.models import Citation, CitationUse, Story
from tests.factories import StaffFactory

BODY = (
    "The United States has shelved plans to sanction China's Ministry of State Security, "
    "officials say.\n\n"
    "Under the framework deal of October 30, the US did not impose a 100 percent tariff.\n\n"
    "Reports that new export controls are planned are disputed."
)
SANCTIONS = "shelved plans to sanction China's Ministry of State Security"
DEAL = "the US did not impose a 100 percent tariff"
CONTROLS = "new export controls are planned"


class StoryFactory(factory.django.DjangoModelFactory):
    """A draft written by a reporter (an editor other than the test's `editor`)."""

    class Meta:
        model = Story

    headline = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    body = BODY
    created_by = factory.SubFactory(
        StaffFactory, username=factory.Sequence(lambda n: f"reporter{n}"), groups=["Editors"]
    )


class CitationFactory(factory.django.DjangoModelFactory):
    """A citation of the body's sanctions passage, unless `exact` is given."""

    class Meta:
        model = Citation

    story = factory.SubFactory(StoryFactory)
    claim = factory.SubFactory("tests.claims.factories.ClaimFactory")
    use = CitationUse.ASSERTS
    exact = SANCTIONS
    start = factory.LazyAttribute(lambda c: c.story.body.index(c.exact))
    end = factory.LazyAttribute(lambda c: c.start + len(c.exact))
    prefix = factory.LazyAttribute(lambda c: c.story.body[max(0, c.start - 32) : c.start])
    suffix = factory.LazyAttribute(lambda c: c.story.body[c.end : c.end + 32])
