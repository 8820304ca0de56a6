from django.apps import AppConfig


def _pack_file_visible(user, path: str) -> bool:
    """A pack's file under /media/ follows the pack (ScrutinyPack.visible_to)."""
    from .models import ScrutinyPack

    return ScrutinyPack.objects.visible_to(user).filter(file=path).exists()


def _report_file_visible(user, path: str) -> bool:
    """A highlight report's PDF under /media/ follows the report (HighlightReport.visible_to)."""
    from .selectors import report_renders_visible_to

    return report_renders_visible_to(user).filter(file=path).exists()


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    verbose_name = "Scrutiny"

    def ready(self):
        from commissioning.views import MEDIA_FILE_CHECKS

        MEDIA_FILE_CHECKS.setdefault("packs", _pack_file_visible)
        MEDIA_FILE_CHECKS.setdefault("reports", _report_file_visible)
