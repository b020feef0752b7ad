"""The import pages in the navigation, and the importers each app registers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from himpun.core.registry import MenuLink, registry
from himpun.imports.models import ImportJob

registry.add_link(
    "anggota",
    MenuLink(_("Impor data"), "imports:list", "bi-upload", ImportJob, "view", 60),
)
