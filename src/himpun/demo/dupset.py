"""A labelled synthetic set for measuring duplicate detection.

People are made up from Indonesian names; about a fifth get a second record typed again by
someone else, with the slips real registers show: old and new spelling (Soetrisno/Sutrisno,
Djoko/Joko), Arabic transliterations (Muhammad/Mohamad/Mochammad, M.), a dropped middle name,
a doubled or missing letter, two swapped letters, a NIK or phone with two digits swapped or
left out, upper case. Hard negatives are there too: namesakes born on other days, people born
on the same day with other names, and husbands and wives sharing one phone.

`labelled_set(n, seed)` returns the records and the set of true duplicate pairs (indexes into
the records, smaller first).
"""

from __future__ import annotations

import datetime
import random

FIRST_W = [
    "Siti",
    "Sri",
    "Dewi",
    "Nur",
    "Rina",
    "Yuni",
    "Ani",
    "Wati",
    "Fitri",
    "Ratna",
    "Endang",
    "Tuti",
    "Wulan",
    "Rini",
    "Dian",
    "Lilis",
    "Umi",
    "Sumarni",
    "Suryani",
    "Aminah",
    "Fatimah",
    "Khadijah",
    "Nurhayati",
    "Rahmawati",
    "Sulastri",
    "Sumiati",
    "Yulianti",
    "Kartini",
]
FIRST_M = [
    "Muhammad",
    "Ahmad",
    "Budi",
    "Agus",
    "Djoko",
    "Eko",
    "Slamet",
    "Bambang",
    "Hendra",
    "Rudi",
    "Dedi",
    "Wahyu",
    "Rizki",
    "Teguh",
    "Heru",
    "Yusuf",
    "Iwan",
    "Soetrisno",
    "Soekarno",
    "Abdullah",
    "Syamsul",
    "Ramadhan",
    "Joko",
    "Sugeng",
    "Supriyadi",
    "Hadi",
    "Darmawan",
]
MIDDLE = ["Nur", "Dwi", "Tri", "Eka", "Adi", "Putra", "Putri", "Indah", "Sri"]
FAMILY = [
    "Santoso",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Lestari",
    "Kurniawan",
    "Setiawan",
    "Pratama",
    "Rahayu",
    "Nugroho",
    "Susanto",
    "Hartono",
    "Siregar",
    "Simanjuntak",
    "Nasution",
    "Harahap",
    "Sitompul",
    "Gunawan",
    "Prasetyo",
    "Wibowo",
    "Purnomo",
    "Handayani",
    "Maulana",
    "Firmansyah",
    "Hakim",
    "Suharto",
    "Sutrisno",
    "Kusuma",
    "Permana",
    "Ramadhani",
]
#: Ways the same name is written in Indonesia.
VARIANTS = {
    "Muhammad": ["Muhamad", "Mohammad", "Mochammad", "Mohamad", "Muhammat"],
    "Ahmad": ["Achmad", "Akhmad", "Ahmat"],
    "Djoko": ["Joko"],
    "Joko": ["Djoko"],
    "Soetrisno": ["Sutrisno"],
    "Sutrisno": ["Soetrisno"],
    "Soekarno": ["Sukarno"],
    "Suharto": ["Soeharto"],
    "Abdullah": ["Abdulah", "Abdallah"],
    "Syamsul": ["Samsul", "Sjamsul"],
    "Ramadhan": ["Ramadan"],
    "Ramadhani": ["Ramadani"],
    "Khadijah": ["Hadijah", "Khodijah"],
    "Nurhayati": ["Nurhajati"],
    "Siti": ["Sity"],
    "Supriyadi": ["Supriadi"],
    "Yulianti": ["Julianti", "Yuliyanti"],
    "Kurniawan": ["Kurniawaan"],
    "Handayani": ["Handayany"],
}


def _person(rng: random.Random) -> dict:
    female = rng.random() < 0.5
    words = [rng.choice(FIRST_W if female else FIRST_M)]
    if rng.random() < 0.35:
        words.append(rng.choice(MIDDLE))
    words.append(rng.choice(FAMILY))
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 40))
    day = born.day + (40 if female else 0)
    return {
        "full_name": " ".join(words),
        "gender": "P" if female else "L",
        "birth_date": born,
        "phone": f"+628{rng.randrange(11, 99)}{rng.randrange(10_000_000, 99_999_999)}",
        "nik": f"3275{rng.randrange(10, 99)}{day:02d}{born.month:02d}{born.year % 100:02d}"
        f"{rng.randrange(1, 9999):04d}"
        if rng.random() < 0.6
        else "",
    }


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.35:
        return word[:i] + word[i] + word[i:]  # a doubled letter
    if kind < 0.65:
        return word[:i] + word[i + 1 :]  # a missing letter
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped


def _retyped_name(rng: random.Random, name: str) -> str:
    words = name.split()
    roll = rng.random()
    if roll < 0.3:
        words = [rng.choice(VARIANTS[w]) if w in VARIANTS else w for w in words]
        if words == name.split():
            words[-1] = _typo(rng, words[-1])
    elif roll < 0.45 and len(words) == 3:
        words = [words[0], words[2]]  # middle name left out
    elif roll < 0.55 and words[0] == "Muhammad":
        words[0] = "M."
    elif roll < 0.85:
        k = rng.randrange(len(words))
        words[k] = _typo(rng, words[k])
    new = " ".join(words)
    return new.upper() if rng.random() < 0.2 else new


def _swap_digits(rng: random.Random, digits: str) -> str:
    if len(digits) < 6:
        return digits
    i = rng.randrange(4, len(digits) - 1)
    return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


def labelled_set(n: int, seed: int = 7) -> tuple[list[dict], set[tuple[int, int]]]:
    rng = random.Random(seed)
    records: list[dict] = []
    truth: set[tuple[int, int]] = set()
    for _ in range(n):
        original = _person(rng)
        records.append(original)
        roll = rng.random()
        if roll < 0.2:  # typed again by someone else
            copy = dict(original)
            copy["full_name"] = _retyped_name(rng, original["full_name"])
            r = rng.random()
            if r < 0.25:
                copy["phone"] = ""  # no phone the second time
            elif r < 0.35:
                copy["phone"] = _swap_digits(rng, original["phone"])
            elif r < 0.55:
                copy["phone"] = (
                    f"+628{rng.randrange(11, 99)}{rng.randrange(10_000_000, 99_999_999)}"
                )
            r = rng.random()
            if original["nik"] and r < 0.3:
                copy["nik"] = ""
            elif original["nik"] and r < 0.4:
                copy["nik"] = _swap_digits(rng, original["nik"])
            if rng.random() < 0.04:  # the birth date typed wrongly as well
                copy["birth_date"] = original["birth_date"] + datetime.timedelta(days=1)
            truth.add((len(records) - 1, len(records)))
            records.append(copy)
        elif roll < 0.24:  # a namesake, born another day
            other = _person(rng)
            other["full_name"] = original["full_name"]
            records.append(other)
        elif roll < 0.28:  # husband or wife on the same phone
            spouse = _person(rng)
            spouse["phone"] = original["phone"]
            spouse["full_name"] = spouse["full_name"].split()[0] + " " + rng.choice(FAMILY)
            records.append(spouse)
        elif roll < 0.31:  # born the same day, someone else
            other = _person(rng)
            other["birth_date"] = original["birth_date"]
            records.append(other)
    return records, truth


def load_set(unit, records: list[dict]) -> list[int]:
    """Insert the records as members of `unit` in bulk; returns their ids in order."""
    from himpun.members.models import Member
    from himpun.members.validation import name_key, search_name

    rows = [
        Member(
            organisation_id=unit.organisation_id,
            unit=unit,
            full_name=r["full_name"],
            search_name=search_name(r["full_name"]),
            search_key=name_key(r["full_name"]),
            gender=r["gender"],
            birth_date=r["birth_date"],
            phone=r["phone"],
            nik=r["nik"],
            status="aktif",
        )
        for r in records
    ]
    ids: list[int] = []
    for i in range(0, len(rows), 2000):
        chunk = Member.objects.bulk_create(rows[i : i + 2000])
        ids += [m.pk for m in chunk]
    if None in ids:  # a backend that does not return ids: read them back in insert order
        ids = list(Member.objects.filter(unit=unit).order_by("pk").values_list("pk", flat=True))[
            -len(rows) :
        ]
    return ids


def score(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    true_positive = len(found & truth)
    precision = true_positive / len(found) if found else 1.0
    recall = true_positive / len(truth) if truth else 1.0
    return {
        "pairs_true": len(truth),
        "pairs_found": len(found),
        "true_positives": true_positive,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
    }
