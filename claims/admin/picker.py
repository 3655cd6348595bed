"""The chain editor's one agent picker: people, organizations and anonymous sources together.

The widget is a text box over a hidden value (claims/static/claims/agent_picker.js searches as
the editor types); the value names an agent on record (`organization:3`) or one to record
(`new:anonymous:current and former US officials`). A new agent is recorded by
`sources.agents.agent_create` only when the chain is saved, so a page left unsaved records
nothing; the role of each link is suggested from its position (`recording.suggested_role`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views import View

from sources import agents
from sources.agents import AgentKind

NEW = "new"
KIND_LABELS = {
    AgentKind.PERSON: "person",
    AgentKind.ORGANIZATION: "organization",
    AgentKind.ANONYMOUS: "anonymous source",
}


@dataclass(frozen=True)
class NewAgent:
    """An agent the editor asked to record, recorded when the chain is saved."""

    kind: AgentKind
    name: str

    def __str__(self) -> str:
        return self.name

    def record(self, *, user):
        return agents.agent_create(kind=self.kind, name=self.name, user=user)


def token(agent) -> str:
    """The picker's value for an agent on record or to record."""
    if isinstance(agent, NewAgent):
        return f"{NEW}:{agent.kind.value}:{agent.name}"
    return f"{agents.kind_of(agent).value}:{agent.pk}"


def kind_label(agent) -> str:
    if isinstance(agent, NewAgent):
        return f"new {KIND_LABELS[agent.kind]}"
    return KIND_LABELS[agents.kind_of(agent)]


def from_token(value: str):
    """Return the agent a picker value names (a NewAgent for one to record); ValidationError
    for a value that names nothing."""
    kind, _, rest = value.partition(":")
    if kind == NEW:
        kind, _, name = rest.partition(":")
        if kind in AgentKind.values and name.strip():
            return NewAgent(AgentKind(kind), " ".join(name.split()))
        raise ValidationError("Choose an agent from the list, or create one.", code="invalid")
    if kind not in AgentKind.values or not rest.isdigit() or len(rest) > 18:
        raise ValidationError("Choose an agent from the list, or create one.", code="invalid")
    model = agents.MODEL_OF[AgentKind(kind)]
    queryset = model._default_manager.all()
    if model is agents.AnonymousSource:
        queryset = queryset.defer("confidential_identity")
    found = queryset.filter(pk=int(rest)).first()
    if found is None:
        raise ValidationError("That agent is no longer on record; choose again.", code="gone")
    return found


class AgentPickerWidget(forms.Widget):
    """A search box over a hidden value; `<name>_text` carries what was typed, so a name typed
    but never chosen is refused with a reason instead of being dropped."""

    def __init__(self, attrs=None, *, label: str = "Agent"):
        super().__init__(attrs)
        self.label = label

    def value_from_datadict(self, data, files, name):
        return {"value": data.get(name, ""), "text": data.get(f"{name}_text", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_text" not in data

    def render(self, name, value, attrs=None, renderer=None):
        agent, text = None, ""
        if isinstance(value, dict):
            text = value.get("text", "")
            try:
                agent = from_token(value["value"]) if value.get("value") else None
            except ValidationError:
                agent = None
        elif value not in (None, ""):
            agent = value
        if agent is not None:
            text = str(agent)
        field_id = (attrs or {}).get("id") or f"id_{name}"
        return format_html(
            '<div class="agent-picker" data-agent-picker data-search-url="{url}">'
            '<input type="hidden" name="{name}" value="{value}">'
            '<input type="text" name="{name}_text" id="{id}" value="{text}" role="combobox" '
            'aria-autocomplete="list" aria-expanded="false" aria-controls="{id}_results" '
            'aria-label="{label}" autocomplete="off" class="agent-picker-input" size="28" '
            'placeholder="A name, an alias or a description">'
            '<span class="agent-picker-kind" data-agent-kind>{kind}</span>'
            '<ul class="agent-picker-results" id="{id}_results" role="listbox" hidden></ul>'
            "</div>",
            url=reverse("admin:claims_appearance_agents"),
            name=name,
            value=token(agent) if agent is not None else "",
            id=field_id,
            text=text,
            label=self.label,
            kind=kind_label(agent) if agent is not None else "",
        )


class AgentField(forms.Field):
    """One agent of a chain link: on record, or named to be recorded with the chain."""

    widget = AgentPickerWidget

    def to_python(self, value):
        if isinstance(value, dict):
            chosen, typed = value.get("value", ""), value.get("text", "").strip()
        else:
            chosen, typed = value or "", ""
        if not chosen:
            if typed:
                raise ValidationError(
                    "“%(typed)s” was typed but not chosen: choose it from the list, or create it.",
                    code="not_chosen",
                    params={"typed": typed},
                )
            return None
        if not isinstance(chosen, str):
            return chosen
        return from_token(chosen)

    def has_changed(self, initial, data):
        try:
            chosen = self.to_python(data)
        except ValidationError:
            return True  # the row must be cleaned, to say why
        return (token(chosen) if chosen else "") != (token(initial) if initial else "")


def recorded(agent, *, user):
    """Return the agent on record, recording a NewAgent first."""
    return agent.record(user=user) if isinstance(agent, NewAgent) else agent


class AgentSearchView(View):
    """Answer the picker: agents matching what was typed, each with its kind, then the ways
    to record it as a new person, organization or anonymous source (most likely first)."""

    model_admin = None
    http_method_names = ["get", "head"]

    def get(self, request):
        user = request.user
        viewable = [
            kind
            for kind, model in agents.MODEL_OF.items()
            if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
            or user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
        ]
        if not viewable:
            raise PermissionDenied
        text = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:200]
        results = [
            {
                "value": token(agent),
                "label": str(agent),
                "kind": KIND_LABELS[kind],
                "detail": f"also known as {alias}" if alias else "",
            }
            for kind, agent, alias in agents.agents_matching(text, kinds=viewable)
        ]
        named = {row["label"].casefold() for row in results}
        likely = agents.likely_kind(text) if text else AgentKind.ANONYMOUS
        order = [likely, *(kind for kind in AgentKind if kind != likely)]
        create = []
        for kind in order:
            model = agents.MODEL_OF[kind]
            may_add = user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
            if text and may_add and text.casefold() not in named:
                create.append(
                    {
                        "value": token(NewAgent(kind, text)),
                        "label": f"Create {KIND_LABELS[kind]} “{text}”",
                        "kind": f"new {KIND_LABELS[kind]}",
                        "detail": "recorded when the chain is saved",
                    }
                )
        return JsonResponse({"results": results, "create": create})
