"""``/api/v1/search/?q=``: the same results as the search page, from the same selector, as JSON."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commissioning.api import ErrorSerializer
from commissioning.models import RecordRead

from . import selectors, services
from .registry import SEARCH_TYPES


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=selectors.QUERY_MAX_LENGTH,
        help_text="Words to search for (web search syntax on PostgreSQL: quotes for a phrase, - to exclude).",
        error_messages={
            "required": "Enter words to search for.",
            "blank": "Enter words to search for.",
            "max_length": f"Search words must be {selectors.QUERY_MAX_LENGTH} characters or fewer.",
        },
    )
    type = serializers.ChoiceField(
        choices=[t.key for t in SEARCH_TYPES], required=False, help_text="Only this type of result, paged."
    )
    page = serializers.IntegerField(
        min_value=1,
        max_value=selectors.MAX_PAGE,
        required=False,
        default=1,
        error_messages={"max_value": f"Ask for page {selectors.MAX_PAGE:,} or before."},
    )

    def validate_q(self, value: str) -> str:
        try:
            return selectors.clean_query(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class HitSerializer(serializers.Serializer):
    type = serializers.CharField(source="kind", help_text="The result's type: strategies, reports, contracts...")
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")
    snippet = serializers.CharField(help_text="HTML: escaped text with the matches in <mark>.")
    rank = serializers.FloatField(allow_null=True, help_text="Relevance on PostgreSQL; null on SQLite.")


class TypeResultsSerializer(serializers.Serializer):
    type = serializers.CharField(source="key")
    label = serializers.CharField()  # type: ignore[assignment]  # the body's key; shadows Field.label
    count = serializers.IntegerField(help_text="How many of this type match, all pages.")
    results = HitSerializer(source="hits", many=True)


class SearchResponseSerializer(serializers.Serializer):
    q = serializers.CharField()
    count = serializers.IntegerField()
    groups = TypeResultsSerializer(many=True)
    results = HitSerializer(many=True, help_text="Every hit returned, in group order.")


class SearchView(APIView):
    """Authentication and throttling are the API's defaults (settings); every signed-in user may search, and
    finds only what each model's ``visible_to`` gives them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Search across everything the user may see",
        description="Strategies, highlight reports, contracts, providers, locations, concerns, visits, decisions "
        f"and documents, grouped by type ({selectors.PER_TYPE} of each, or one type paged "
        f"{selectors.PAGE_SIZE} at a time with `type`). Only records the user may read are found; reads of "
        "restricted concerns are recorded.",
        parameters=[SearchQuerySerializer],
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No words, or more than 200 characters."),
        },
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        groups = selectors.search(user=request.user, q=data["q"], kind=data.get("type"), page=data["page"])
        services.record_search_reads(user=request.user, results=groups, via=RecordRead.Via.API)
        hits = [hit for group in groups for hit in group.hits]
        body = {"q": data["q"], "count": sum(g.count for g in groups), "groups": groups, "results": hits}
        return Response(SearchResponseSerializer(body).data)
