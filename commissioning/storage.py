"""The S3-compatible file storage (STORAGE_BACKEND=s3, see config/settings/base.py).

The bucket is private: a file's URL is the app's own ``/media/...`` address, as with the file system, so every
download still goes through commissioning.views.protected_media (or a record's download page) and its rights
check; no signed link that anyone holding it could use is ever handed out.
"""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]  # no stubs


class CouncilS3Storage(S3Storage):
    """S3Storage whose URLs are the app's ``MEDIA_URL`` addresses, never the bucket's."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        """The app's address of the stored file: the download is permission-checked there."""
        return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"
