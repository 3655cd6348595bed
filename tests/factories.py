"""factory_boy factories for the sources app and users."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sources.models import (
    Affiliation,
    Agreement,
    AnonymousSource,
    Document,
    LicenseTerms,
    Organization,
    Person,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """Add the user to the named groups: UserFactory(groups=["Editors"])."""
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class StaffFactory(UserFactory):
    is_staff = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.PUBLISHER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.THINK_TANK)
    role = "Analyst"


class AnonymousSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnonymousSource

    description = "current and former US officials"
    count_text = "several"


class LicenseTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicenseTerms

    holder = factory.SubFactory(OrganizationFactory)
    notice = factory.Sequence(lambda n: f"© 2025 Holder {n}. All rights reserved.")
    sharing_scope = LicenseTerms.SharingScope.PUBLIC
    max_external_quote_chars = 300
    tdm_status = factory.LazyAttribute(
        lambda t: (
            LicenseTerms.TdmStatus.RESERVED
            if t.tdm_reserved
            else LicenseTerms.TdmStatus.NOT_EXPRESSED
        )
    )

    class Params:
        # The flag is derived from the status on save; tests may still ask for it.
        tdm_reserved = False


class ReservedLicenseTermsFactory(LicenseTermsFactory):
    """Terms like DK Medier's: TDM reserved, internal sharing only, no external quotes."""

    holder = factory.SubFactory(OrganizationFactory, name="DK Medier")
    notice = factory.Sequence(
        lambda n: (
            f"DK Medier reserves all rights to the content ({n}), including the right to exploit "
            "the content for the purpose of text and data mining, cf. Section 11b of the "
            "Copyright Act and Article 4 of the DSM Directive."
        )
    )
    tdm_status = LicenseTerms.TdmStatus.RESERVED
    tdm_legal_basis = "DSM Directive Art. 4; Danish Copyright Act §11b"
    tdm_expression = LicenseTerms.TdmExpression.NATURAL_LANGUAGE
    tdm_clause = factory.LazyAttribute(lambda t: t.notice)
    sharing_scope = LicenseTerms.SharingScope.INTERNAL
    sharing_clause = (
        "Customers with IP or major-customer agreements may only share Danish Offshore "
        "Industry articles internally for the purpose of handling specific cases."
    )
    max_external_quote_chars = 0


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    holder = factory.SubFactory(OrganizationFactory)
    reference = factory.Sequence(lambda n: f"Contract {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    publisher = factory.SubFactory(OrganizationFactory)
    headline = factory.Sequence(lambda n: f"Headline {n}")
    body = factory.Sequence(lambda n: f"Paragraph one of document {n}.\n\nParagraph two.")
    raw_text = factory.LazyAttribute(lambda d: d.body)
    language = "en"
