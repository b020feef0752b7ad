"""Synthetic members for the demo: the 163 domestic workers of the six Bekasi komperata
(seed 000) and a few thousand across the federations. Every person is made up."""

from __future__ import annotations

import datetime
import random

WOMEN = [
    "Siti",
    "Sri",
    "Dewi",
    "Nur",
    "Rina",
    "Yuni",
    "Ani",
    "Wati",
    "Lestari",
    "Fitri",
    "Ratna",
    "Sari",
    "Endang",
    "Tuti",
    "Wulan",
    "Ika",
    "Maya",
    "Rini",
    "Dian",
    "Nining",
    "Eni",
    "Lilis",
    "Umi",
    "Yati",
    "Sumarni",
    "Suryani",
    "Murni",
    "Aminah",
    "Fatimah",
    "Rohmah",
]
MEN = [
    "Budi",
    "Agus",
    "Joko",
    "Eko",
    "Slamet",
    "Bambang",
    "Hendra",
    "Rudi",
    "Dedi",
    "Andi",
    "Wahyu",
    "Rizki",
    "Fajar",
    "Teguh",
    "Heru",
    "Yusuf",
    "Ahmad",
    "Iwan",
    "Dani",
    "Arif",
    "Hadi",
    "Sugeng",
    "Taufik",
    "Irfan",
    "Rahmat",
    "Sutrisno",
    "Bayu",
    "Dimas",
    "Gilang",
]
FAMILY = [
    "Rahmawati",
    "Santoso",
    "Lestari",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Kurniawan",
    "Setiawan",
    "Pratama",
    "Susanti",
    "Nugroho",
    "Wibowo",
    "Purnomo",
    "Handayani",
    "Sulistyo",
    "Maharani",
    "Permana",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Hasibuan",
    "Lubis",
    "Pangaribuan",
    "Harahap",
    "Putri",
    "Utami",
    "Anggraini",
    "Fitriani",
    "Kusuma",
    "Ramadhan",
]
DEPARTMENTS = ("Produksi", "Gudang", "Perakitan", "Pengecatan", "QC", "Maintenance", "Kantin")
#: Units whose workplace is not a factory: their own departments (the plantation of seed 004),
#: each repeated by its share of the workforce (520 : 300 : 260 : 120).
UNIT_DEPARTMENTS = {
    "PK-SAWIT": ("Panen",) * 13
    + ("Perawatan",) * 7
    + ("Pabrik kelapa sawit",) * 6
    + ("Kantor",) * 2
}


def person(rng: random.Random, *, women_share: float) -> dict:
    female = rng.random() < women_share
    first = rng.choice(WOMEN if female else MEN)
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 40))
    return {
        "full_name": f"{first} {rng.choice(FAMILY)}",
        "gender": "P" if female else "L",
        "birth_date": born,
        "phone": f"+628{rng.randrange(11, 99)}{rng.randrange(10_000_000, 99_999_999)}",
    }


def nik_for(rng: random.Random, region: str, gender: str, born: datetime.date) -> str:
    """A NIK of the right shape for the person (synthetic: no real person has it)."""
    prov, kab, kec = [*region.split("."), "01", "01"][:3]
    day = born.day + (40 if gender == "P" else 0)
    serial = rng.randrange(1, 9999)
    return f"{prov}{kab}{kec}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


# (unit code, organisation code, how many members, share of women, employer-based)
DEMO_MEMBERS = [
    ("KMP-PEJUANG", "PRT-BKS", 31, 0.95, False),
    ("KMP-MASNAGA", "PRT-BKS", 26, 0.95, False),
    ("KMP-HARAPAN", "PRT-BKS", 29, 0.95, False),
    ("KMP-BKSBARAT", "PRT-BKS", 27, 0.95, False),
    ("KMP-BKSUTARA", "PRT-BKS", 25, 0.95, False),
    ("KMP-CAKUNG", "PRT-BKS", 25, 0.95, False),
    ("PUK-SAM", "KSPI", 640, 0.3, True),
    ("PUK-MKJ", "KSPI", 410, 0.35, True),
    ("PUK-BLP", "KSPI", 280, 0.15, True),
    ("PUK-GTN", "KSPI", 900, 0.85, True),
    ("PK-SAWIT", "KSBSI", 350, 0.4, True),
]
