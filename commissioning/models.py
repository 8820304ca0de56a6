"""The shared core: the council's directorates and the people who use the system."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Directorate(TimeStampedModel):
    """A council directorate, e.g. Adult Care and Community Wellbeing."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code used in references, e.g. ACCW.")
    executive_director = models.CharField(max_length=120, blank=True, help_text="Role title of the sponsor.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A council officer or councillor. What they may do comes from their role groups."""

    job_title = models.CharField(max_length=150, blank=True)
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        help_text="Commissioners may edit strategies of their own directorate only; leave blank for council-wide.",
    )
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        # Cached per instance: templates ask several times per page.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_names & set(roles))
