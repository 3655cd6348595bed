"""A chain's rows as the editor leaves them, turned into links for recording.chain_set.

Shared by the appearance page's chain editor and the new-claim-from-a-quote page: each row is
(role, verb, agent) from the one agent picker (claims.admin.picker).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from claims import recording
from claims.admin import picker
from claims.models import Attribution
from sources import agents


def publishers_of(document) -> list:
    """Who published the document: the title, its publisher and the title's group."""
    if document is None:
        return []
    found = [document.publication, document.publisher]
    if document.publication is not None and document.publication.parent_id:
        found.append(document.publication.parent)
    return [organization for organization in found if organization is not None]


def chain_links(rows, *, user, publishers) -> list[recording.ChainLink]:
    """Turn chosen rows (role, verb, agent), origin first, into links; a role left blank is
    suggested from the link's place, and an agent named to be recorded is recorded now."""
    links = []
    for position, (role, verb, agent) in enumerate(rows):
        agent = picker.recorded(agent, user=user)
        role = role or recording.suggested_role(position, agent=agent, publishers=publishers)
        verb = verb or recording.SUGGESTED_VERBS.get(role, "")
        links.append(recording.ChainLink(role=role, agent=agent, verb=verb))
    return links


def check_new_agents(rows, *, user) -> None:
    """Refuse, before anything is saved, an agent to record that the user may not record."""
    for _, _, agent in rows:
        if isinstance(agent, picker.NewAgent):
            model = agents.MODEL_OF[agent.kind]
            # No user (a form used outside a request) may not record one either: fail closed.
            permission = f"{model._meta.app_label}.add_{model._meta.model_name}"
            if user is None or not user.has_perm(permission):
                raise ValidationError(
                    f"You may not record a new {picker.KIND_LABELS[agent.kind]} "
                    f"(“{agent.name}”); choose one on record."
                )


ROLE_CHOICES = [("", "— from its place —"), *Attribution.Role.choices]
