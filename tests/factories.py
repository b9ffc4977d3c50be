"""Factories that keep related objects inside one region tree."""

import factory

from qunfang.core.models import Region, RegionKind, User, UserRole
from qunfang.core.roles import Role

TEST_PASSWORD = "Qf-test-2026"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    kind = RegionKind.VILLAGE
    code = factory.Sequence(lambda n: f"330681109{n + 400:03d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [Role.PATROL_MEMBER]:
            UserRole.objects.create(user=self, role=role)
