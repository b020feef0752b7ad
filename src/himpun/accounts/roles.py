"""The seed roles: which actions each grants on which models.

Later apps add their models here. A role assignment reaches the unit's whole subtree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

VIEW = ("view",)
READ = ("view", "export")
WRITE = ("view", "add", "change", "export")
ALL = ("view", "add", "change", "delete", "export")

STRUCTURE = (
    "structure.orgunit",
    "structure.employer",
    "structure.workplace",
    "structure.workplacesection",
)
CONFIG = ("structure.levelkind", "structure.sector", "members.membershiprule")
MEMBERS = "members.member"
#: Moving members between units and the public join links of a unit.
JOINING = ("members.transfer", "members.joinlink")
#: Bulk import jobs (importing members also needs the right to add members there).
IMPORTS = "imports.importjob"
#: Money: payments, journal entries (cash book, remittances, reversals), check-off batches.
#: Only treasurers and admins write it; nobody deletes it (money is reversed, not deleted).
MONEY = ("dues.payment", "dues.entry", "dues.checkoffbatch")
#: Dues rules: policies, splits between levels, minimum wages, cash-book categories.
DUES_CONFIG = ("dues.duespolicy", "dues.splitrule", "dues.minimumwage", "dues.cashcategory")

#: Organising: contacts (and their pipeline), campaigns, targets, evaluations and their plans.
ORGANISING = (
    "organizing.contact",
    "organizing.campaign",
    "organizing.campaignactivity",
    "organizing.target",
    "organizing.manualresult",
    "organizing.evaluation",
    "organizing.actionitem",
)
#: The organisation's organising framework: pipeline stages and indicators (Janji Kinerja).
ORGANISING_CONFIG = ("organizing.stage", "organizing.indicator")

SEED_ROLES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "Admin": (
        _("Mengelola segalanya di unit dan turunannya, termasuk siapa memegang peran apa."),
        {
            **dict.fromkeys(STRUCTURE, ALL),
            **dict.fromkeys(CONFIG, ALL),
            MEMBERS: ALL,
            **dict.fromkeys(JOINING, ALL),
            IMPORTS: WRITE,
            "accounts.roleassignment": ALL,
            **dict.fromkeys(MONEY, WRITE),
            **dict.fromkeys(DUES_CONFIG, ALL),
            **dict.fromkeys(ORGANISING, ALL),
            **dict.fromkeys(ORGANISING_CONFIG, ALL),
        },
    ),
    "Sekretaris": (
        _("Mengelola anggota, struktur organisasi, perusahaan dan tempat kerja."),
        {
            **dict.fromkeys(STRUCTURE, WRITE),
            **dict.fromkeys(CONFIG, VIEW),
            MEMBERS: WRITE,
            **dict.fromkeys(JOINING, WRITE),
            IMPORTS: WRITE,
            "accounts.roleassignment": VIEW,
            # summaries of the money, not the writing of it
            **dict.fromkeys(MONEY, VIEW),
            **dict.fromkeys(DUES_CONFIG, VIEW),
            **dict.fromkeys(ORGANISING, WRITE),
            **dict.fromkeys(ORGANISING_CONFIG, VIEW),
        },
    ),
    "Bendahara": (
        _("Mengelola iuran dan buku kas; melihat struktur dan anggota."),
        {
            **dict.fromkeys(STRUCTURE, VIEW),
            **dict.fromkeys(CONFIG, VIEW),
            MEMBERS: VIEW,
            **dict.fromkeys(JOINING, VIEW),
            **dict.fromkeys(MONEY, WRITE),
            **dict.fromkeys(DUES_CONFIG, WRITE),
            IMPORTS: WRITE,
            **dict.fromkeys(ORGANISING, VIEW),
            **dict.fromkeys(ORGANISING_CONFIG, VIEW),
        },
    ),
    "Organiser": (
        _("Mengorganisir tempat kerja: perusahaan, tempat kerja, kontak."),
        {
            "structure.orgunit": VIEW,
            "structure.employer": WRITE,
            "structure.workplace": WRITE,
            "structure.workplacesection": WRITE,
            **dict.fromkeys(CONFIG, VIEW),
            MEMBERS: WRITE,
            "members.transfer": VIEW,
            "members.joinlink": WRITE,
            IMPORTS: WRITE,
            **dict.fromkeys(ORGANISING, WRITE),
            **dict.fromkeys(ORGANISING_CONFIG, VIEW),
        },
    ),
    "Pelatih": (
        _("Menyelenggarakan pelatihan; melihat struktur dan anggota."),
        {
            **dict.fromkeys(STRUCTURE, VIEW),
            **dict.fromkeys(CONFIG, VIEW),
            MEMBERS: VIEW,
            **dict.fromkeys(JOINING, VIEW),
            **dict.fromkeys(ORGANISING, VIEW),
            **dict.fromkeys(ORGANISING_CONFIG, VIEW),
        },
    ),
    "Pengamat": (
        _("Hanya melihat, tanpa mengubah atau mengekspor."),
        {
            **dict.fromkeys(STRUCTURE, VIEW),
            **dict.fromkeys(CONFIG, VIEW),
            MEMBERS: VIEW,
            **dict.fromkeys(JOINING, VIEW),
            **dict.fromkeys(ORGANISING, VIEW),
            **dict.fromkeys(ORGANISING_CONFIG, VIEW),
        },
    ),
}
