from django.apps import AppConfig


def _pack_file_visible(user, path: str) -> bool:
    """A pack's file under /media/: its published revisions follow the pack; a working render is for those
    who prepare packs (selectors.pack_file_readable)."""
    from .selectors import pack_file_readable

    return pack_file_readable(user, path)


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
