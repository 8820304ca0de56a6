"""Admin of providers, locations, CQC ratings and risk assessments.

Providers and locations have no page of their own to add or change them, so the admin does that, through
``providers.services`` (which check the right and the rules, and record who did it). CQC ratings come in
through the import and risk assessments are recorded on the provider's page: the admin only shows them.
Nothing is deleted here: no service deletes, and the history of a provider is the council's record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from commissioning.admin import ReadOnlyAdmin, ReadOnlyRights

from . import services
from .models import CqcRating, Location, Provider, RiskAssessment, RiskMethod


class ServiceAdmin(SimpleHistoryAdmin):
    """An admin whose add and change forms write through the app's services: ``create`` and ``update``
    call them with the form's fields. A refusal by the service's rules is shown at the top of the form, and
    nothing is saved. No deleting, and no reverting to an old version other than through the change form."""

    def create(self, request, fields: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update(self, request, obj: Any, fields: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_fields(self, form, change: bool) -> dict[str, Any]:
        names = form.changed_data if change else list(form.cleaned_data)
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        fields = self.service_fields(form, change)
        saved = self.update(request, obj, fields) if change else self.create(request, fields)
        # The admin logs and redirects with the object it was given: make it the saved one.
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Related rows are written by the services (save_model), not by the form; inlines only show rows
        (``commit=False`` writes nothing, but gives the admin's change message the nothing it found)."""
        for formset in formsets:
            formset.save(commit=False)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, f"Not saved: {message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True


class LocationInline(ReadOnlyRights, admin.TabularInline):
    """The provider's locations, shown; each is added and changed on its own page (Locations)."""

    model = Location
    extra = 0
    fields = readonly_fields = ("name", "cqc_location_id", "setting_type", "is_care_home", "beds", "district")
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(ServiceAdmin):
    list_display = ["name", "status", "companies_house_number", "cqc_provider_id", "is_sme", "is_vcse"]
    list_filter = ["status", "is_sme", "is_vcse"]
    search_fields = ["name", "trading_name", "companies_house_number", "cqc_provider_id"]
    inlines = [LocationInline]
    # The day a provider left the market is recorded through provider_record_exit, not typed here.
    readonly_fields = ["exited_on"]

    def create(self, request, fields):
        return services.provider_create(by=request.user, **fields)

    def update(self, request, obj, fields):
        return services.provider_update(provider=obj, by=request.user, **fields)


@admin.register(Location)
class LocationAdmin(ServiceAdmin):
    list_display = ["name", "provider", "setting_type", "beds", "district", "cqc_location_id"]
    list_filter = ["setting_type", "is_care_home", "in_county", "district"]
    search_fields = ["name", "cqc_location_id", "provider__name"]
    list_select_related = ["provider"]
    raw_id_fields = ["provider"]

    # What CQC's HSCA active locations file says of the location: kept by its import, shown here, not typed.
    CQC_FILE_FIELDS = [
        "address",
        "local_authority",
        "registered_manager",
        "is_dormant",
        "last_seen_in_cqc_file",
        "cqc_review_reason",
        "cqc_review_since",
        "previous_location",
    ]
    # Open, closing or closed, with the dates: recorded through location_record_status.
    STATUS_FIELDS = ["status", "closing_from", "closed_on"]

    def get_readonly_fields(self, request, obj=None):
        # A location stays with its provider: a novation moves contracts, not care homes.
        return (["provider"] if obj is not None else []) + self.CQC_FILE_FIELDS + self.STATUS_FIELDS

    def create(self, request, fields):
        provider = fields.pop("provider")
        return services.location_create(provider=provider, by=request.user, **fields)

    def update(self, request, obj, fields):
        fields.pop("provider", None)
        return services.location_update(location=obj, by=request.user, **fields)


@admin.register(CqcRating)
class CqcRatingAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Ratings come in through the CQC ratings import (providers:cqc_import)."""

    list_display = ["location", "published_on", "overall"]
    list_filter = ["overall"]
    list_select_related = ["location"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Assessments are history, recorded on the provider's page by the risk method in force; never edited."""

    list_display = ["provider", "assessed_on", "method", "score", "calculated_level", "level"]
    list_filter = ["level", "method"]
    list_select_related = ["provider", "method"]


@admin.register(RiskMethod)
class RiskMethodAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Versions are recorded on the risk methods page (providers:risk_method_create, through
    ``risk_method_create``) and are history once an assessment uses them: the admin only shows them."""

    list_display = ["version", "name", "effective_from"]
    list_select_related = ["created_by"]
