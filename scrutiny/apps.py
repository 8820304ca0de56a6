from django.apps import AppConfig


def _pack_file_visible(user, path: str) -> bool:
    """A pack's file under /media/ follows the pack: drafts are for the officers preparing them."""
    from .selectors import packs_visible_to

    return packs_visible_to(user).filter(file=path).exists()


def _report_file_visible(user, path: str) -> bool:
    from strategies.models import HighlightReport

    from .models import ReportRender
    from .selectors import can_see_draft_reports

    renders = ReportRender.objects.filter(file=path)
    if not can_see_draft_reports(user):
        renders = renders.exclude(report__status=HighlightReport.Status.DRAFT)
    return renders.exists()


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    verbose_name = "Scrutiny"

    def ready(self):
        from commissioning.views import MEDIA_FILE_CHECKS

        MEDIA_FILE_CHECKS.setdefault("packs", _pack_file_visible)
        MEDIA_FILE_CHECKS.setdefault("reports", _report_file_visible)
