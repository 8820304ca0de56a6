"""A pack marked rendered from what it holds now, without spending seconds on layout: a stub PDF in storage
and the checksum of the pack's document, as a render would leave them (so it may be published)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from scrutiny import documents
from scrutiny.models import ScrutinyPack


def mark_rendered(pack: ScrutinyPack, content: bytes = b"%PDF-1.7 stub", *, page_count: int = 1) -> ScrutinyPack:
    pack.file.name = default_storage.save(f"packs/{pack.pk}-stub.pdf", ContentFile(content))
    pack.render_status = ScrutinyPack.RenderStatus.READY
    pack.checksum = documents.build_pack_document(pack).checksum
    pack.page_count = page_count
    pack.save()
    return pack
