import pytest
from django.contrib.auth.models import Group

from newsroom.roles import ALL_GROUPS


@pytest.mark.django_db
def test_role_groups_exist_after_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_GROUPS)


@pytest.mark.django_db
def test_no_group_may_read_confidential_identities():
    for group in Group.objects.all():
        assert not group.permissions.filter(codename="view_confidential_identity").exists()


@pytest.mark.django_db
def test_editors_may_record_documents_and_factcheckers_may_read_them():
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="add_document").exists()
    checkers = Group.objects.get(name="Fact-checkers")
    assert checkers.permissions.filter(codename="view_document").exists()
    assert not checkers.permissions.filter(codename="add_document").exists()
