"""Employers and workplaces through the same engine: matched by name, re-import is a no-op."""

from __future__ import annotations

from himpun.imports.engine import import_job_run
from himpun.imports.models import ImportIssue, IssueLevel
from himpun.imports.services import import_job_create, import_job_map
from himpun.structure.models import Employer, Workplace


def run(user, unit, path, kind):
    with open(path, "rb") as fh:
        job = import_job_create(actor=user, kind=kind, unit=unit, upload=fh, filename=path.name)
    job = import_job_map(actor=user, job=job, mapping=job.mapping)
    return import_job_run(job=job)


def test_employers_then_workplaces(world, tmp_path):
    employers = tmp_path / "perusahaan.csv"
    employers.write_text(
        "Nama Perusahaan;Alamat;Provinsi;Kabupaten/Kota;Unit\n"
        "PT Sinar Logam;Jl. Industri 1;Jawa Barat;Kab. Bekasi;A\n"
        "pt  sinar logam;;;;A\n"  # the same company again
        "PT <b>Jaya</b>;;;;A\n"
        "PT Maju Bersama;;;;B\n",
        encoding="utf-8",
    )
    job = run(world.admin1, world.org1, employers, "employers")
    assert (job.created, job.unchanged, job.failed) == (2, 1, 1)
    sinar = Employer.objects.get(name="PT Sinar Logam")
    assert sinar.region_code.startswith("32.16")
    assert sinar.unit == world.a
    again = run(world.admin1, world.org1, employers, "employers")
    assert (again.created, again.updated, again.failed) == (0, 0, 1)

    sites = tmp_path / "lokasi.csv"
    sites.write_text(
        "Perusahaan,Nama Lokasi,Jumlah Pekerja,Unit\n"
        "PT Sinar Logam,Pabrik Cikarang,1.200,A\n"
        "PT Tidak Ada,Gudang,50,A\n",
        encoding="utf-8",
    )
    job = run(world.admin1, world.org1, sites, "workplaces")
    assert (job.created, job.failed) == (1, 1)
    assert Workplace.objects.get().headcount == 1200
    message = ImportIssue.objects.get(job=job, level=IssueLevel.ERROR).message
    assert "belum terdaftar" in message

    sites.write_text(
        "Perusahaan,Nama Lokasi,Jumlah Pekerja,Unit\nPT Sinar Logam,Pabrik Cikarang,1350,A\n",
        encoding="utf-8",
    )
    job = run(world.admin1, world.org1, sites, "workplaces")
    assert (job.created, job.updated) == (0, 1)
    assert Workplace.objects.get().headcount == 1350


def test_a_unit_outside_the_scope_is_refused(world, tmp_path):
    employers = tmp_path / "perusahaan.csv"
    employers.write_text("Perusahaan,Unit\nPT Satu,A\nPT Dua,B\n", encoding="utf-8")
    job = run(world.admin_a, world.a, employers, "employers")
    assert (job.created, job.failed) == (1, 1)
    assert not Employer.objects.filter(name="PT Dua").exists()


def test_workplaces_bring_their_unions_and_pkb_dates(world, tmp_path):
    """The bargaining facts a federation keeps per site: how many unions are there and the
    PKB's dates, with two-digit years of a PKB read forward (it may end 3 years on), and the
    dates no PKB can have refused by row as on the workplace form."""
    import datetime

    from himpun.imports.models import ImportJob

    Employer.objects.create(name="PT Sinar Logam", unit=world.a)
    sites = tmp_path / "pkb.csv"
    sites.write_text(
        "Perusahaan;Nama Lokasi;Jumlah Serikat;Tgl PKB;PKB Berakhir;Unit\n"
        "PT Sinar Logam;Pabrik Cikarang;2;1 Januari 2026;31/12/27;A\n"
        "PT Sinar Logam;Gudang Cibitung;;;;A\n"
        "PT Sinar Logam;Pabrik Karawang;dua;;;A\n"  # a word, not a number
        "PT Sinar Logam;Pabrik Bekasi;1;01/01/2026;01/01/2030;A\n"  # longer than 2 + 1 years
        "PT Sinar Logam;Pabrik Bogor;1;01/06/2026;01/01/2026;A\n",  # ends before it is signed
        encoding="utf-8",
    )
    job = run(world.admin1, world.org1, sites, "workplaces")
    assert ImportJob.objects.get(pk=job.pk).mapping[2:5] == [
        "unions_present",
        "pkb_signed_on",
        "pkb_expires_on",
    ]
    assert (job.created, job.failed) == (2, 3)
    cikarang = Workplace.objects.get(name="Pabrik Cikarang")
    assert cikarang.unions_present == 2
    assert cikarang.pkb_signed_on == datetime.date(2026, 1, 1)
    assert cikarang.pkb_expires_on == datetime.date(2027, 12, 31)
    gudang = Workplace.objects.get(name="Gudang Cibitung")
    assert (gudang.unions_present, gudang.pkb_signed_on) == (1, None)  # the defaults stand
    errors = dict(
        ImportIssue.objects.filter(job=job, level=IssueLevel.ERROR).values_list("row", "message")
    )
    assert "bilangan bulat 1–99" in errors[4]
    assert "Pasal 123" in errors[5]
    assert "sesudah tanggal penandatanganan" in errors[6]

    again = run(world.admin1, world.org1, sites, "workplaces")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
