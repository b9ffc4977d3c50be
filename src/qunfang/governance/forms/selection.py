"""Forms of selection and appointment (选聘). Every post and person offered is limited to what
the signed-in user may see (posts: of the villages whose committee they act for), so a forged
id from another village fails like a typo; the rules themselves live in
`governance.services.selection`, which the views call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.forms import DATE_INPUT, choice_errors
from qunfang.core.models import User
from qunfang.core.roles import Perm
from qunfang.governance.models.selection import CandidacyStatus, NominatedBy
from qunfang.registry.models import Person, Post

DATE_ERRORS = {"invalid": _("Enter a date such as 2027-03-01.")}


def _post_label(post: Post) -> str:
    return f"{post.organisation.region.name} · {post.organisation.name} · {post.title}"


def _person_label(person: Person) -> str:
    return f"{person.name}（{person.region.name}，{person.birth_date:%Y}）"


class NominationForm(forms.Form):
    post: forms.ModelChoiceField[Post] = forms.ModelChoiceField(
        label=_("Post"),
        queryset=Post.objects.none(),
        error_messages=choice_errors(_("Choose a post of your village.")),
    )
    person: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Candidate"),
        queryset=Person.objects.none(),
        error_messages=choice_errors(_("Choose a person registered in your village.")),
    )
    nominated_by = forms.ChoiceField(
        label=_("Nominated by"),
        choices=[("", "—"), *NominatedBy.choices],
        error_messages=choice_errors(_("Say who nominated the candidate.")),
    )
    nominated_on = forms.DateField(
        label=_("Nominated on"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the date of the nomination.")},
    )
    reason = forms.CharField(
        label=_("Why this candidate"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = user.region.path if user.region_id and user.region else "\x00"
        posts = (
            Post.objects.visible_to(user)
            .filter(organisation__region__path__startswith=mine)
            .select_related("organisation__region")
            .order_by("organisation__region__path", "organisation__name", "-is_leader", "title")
        )
        people = (
            Person.objects.visible_to(user)
            .filter(region__path__startswith=mine)
            .select_related("region")
            .defer("id_number", "phone")
            .order_by("region__path", "name", "id")
        )
        if not user.can(Perm.RUN_GOVERNANCE):
            posts, people = posts.none(), people.none()
        self.fields["post"].queryset = posts  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["post"].label_from_instance = _post_label  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = _person_label  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    """One form for every decision on a candidacy and for the appointment; the date is the
    decision's, or the day the appointee takes up the post."""

    to = forms.ChoiceField(
        choices=CandidacyStatus.choices,
        error_messages=choice_errors(_("Choose a decision.")),
    )
    on = forms.DateField(
        label=_("Date"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the date of the decision.")},
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class DismissalForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Decided on"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Enter the date of the decision.")},
    )
    reason = forms.CharField(
        label=_("Reason for the dismissal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason for the dismissal.")},
    )
