from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CqcRating, Location, Provider, RiskAssessment


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ["name", "cqc_location_id", "setting_type", "is_care_home", "beds", "district"]


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "status", "companies_house_number", "cqc_provider_id", "is_sme", "is_vcse"]
    list_filter = ["status", "is_sme", "is_vcse"]
    search_fields = ["name", "trading_name", "companies_house_number", "cqc_provider_id"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "provider", "setting_type", "beds", "district", "cqc_location_id"]
    list_filter = ["setting_type", "is_care_home", "in_county", "district"]
    search_fields = ["name", "cqc_location_id", "provider__name"]
    list_select_related = ["provider"]
    raw_id_fields = ["provider"]


@admin.register(CqcRating)
class CqcRatingAdmin(SimpleHistoryAdmin):
    list_display = ["location", "published_on", "overall"]
    list_filter = ["overall"]
    list_select_related = ["location"]
    raw_id_fields = ["location"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "assessed_on", "score", "calculated_level", "level"]
    list_filter = ["level"]
    list_select_related = ["provider"]
    raw_id_fields = ["provider"]
