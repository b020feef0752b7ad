import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from himpun.core.tables import LinkColumn, ObjectTable
from himpun.structure.models import Employer, LevelKind, OrgUnit, Sector, Workplace


class OrgUnitTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    kind = tables.Column(verbose_name=_("Jenis"), order_by=("kind__order",))
    parent = tables.Column(verbose_name=_("Induk"), order_by=("parent__name",))
    sector = tables.Column(verbose_name=_("Sektor"))

    class Meta(ObjectTable.Meta):
        model = OrgUnit
        fields = ("select", "name", "code", "kind", "parent", "sector")


class LevelKindTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    organisation = tables.Column(verbose_name=_("Organisasi"))
    order = tables.Column(verbose_name=_("Urutan"))

    class Meta(ObjectTable.Meta):
        model = LevelKind
        fields = ("select", "name", "code", "organisation", "order")


class SectorTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    organisation = tables.Column(verbose_name=_("Organisasi"))

    class Meta(ObjectTable.Meta):
        model = Sector
        fields = ("select", "name", "code", "organisation")


class EmployerTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama perusahaan"))
    sector = tables.Column(verbose_name=_("Sektor"))
    unit = tables.Column(verbose_name=_("Unit pengelola"), order_by=("unit__name",))

    class Meta(ObjectTable.Meta):
        model = Employer
        fields = ("select", "name", "sector", "unit")


class WorkplaceTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama lokasi"))
    employer = tables.Column(verbose_name=_("Perusahaan"), order_by=("employer__name",))
    headcount = tables.Column(verbose_name=_("Jumlah pekerja"))
    unit = tables.Column(verbose_name=_("Unit pengelola"), order_by=("unit__name",))

    class Meta(ObjectTable.Meta):
        model = Workplace
        fields = ("select", "name", "employer", "headcount", "unit")
