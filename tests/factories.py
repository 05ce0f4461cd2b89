"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from shieldhub.accounts.models import RoleGrant, User
from shieldhub.directory.models import Community, Membership, NcpNomination, Organisation, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            RoleGrant.objects.create(user=self, role=role)
        self.__dict__.pop("roles", None)  # reset the cached property

    @factory.post_generation
    def mfa(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if extracted is False:
            return
        secret = generate_totp_secret()
        TOTP.activate(self, secret)
        self.totp_secret = secret  # type: ignore[attr-defined]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "customs"
    country = "FR"

    @factory.post_generation
    def searchable(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Fill the derived search column as the services do."""
        from shieldhub.directory.services import organisation_search_text

        self.search_text = organisation_search_text(self)
        if create:
            self.save(update_fields=["search_text"])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@contacts.example")
    country = "FR"
    organisation = factory.SubFactory(OrganisationFactory, country=factory.SelfAttribute("..country"))

    @factory.post_generation
    def searchable(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Fill the derived search column as the services do."""
        from shieldhub.directory.services import person_search_text

        self.search_text = person_search_text(self)
        if create:
            self.save(update_fields=["search_text"])


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NcpNomination

    person = factory.SubFactory(PersonFactory)
    country = factory.SelfAttribute("person.country")
    status = "active"
    role = "primary"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    kind = "adhoc"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
