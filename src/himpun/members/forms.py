"""Member forms: Indonesian validation with warnings that inform but do not block."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from himpun.core.forms import ScopedModelForm, style_widgets
from himpun.members.choices import TRANSITIONS, Status
from himpun.members.models import DEFAULT_NUMBER_FORMAT, Member, MembershipRule
from himpun.members.validation import nik_clean, nik_crosscheck, phone_clean
from himpun.structure.models import OrgUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; larger is refused, not decoded
PHOTO_SIDE = 600


class _CurrentPhoto:
    """What the file widget shows for a stored photo: a link to the scoped photo view, never
    the file's path in storage."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return str(_("foto saat ini"))


class PhotoInput(forms.ClearableFileInput):
    current_url = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _CurrentPhoto(self.current_url)
        return context


def photo_reencode(upload: UploadedFile) -> ContentFile:
    """A photo as the card and the member page use it: RGB JPEG, quality 85, at most 600 px
    on its longest side, turned upright, with no EXIF (no camera, place or time)."""
    upload.seek(0)
    img = Image.open(upload)
    if img.width * img.height > PHOTO_MAX_PIXELS:
        raise ValidationError(_("Resolusi foto terlalu besar."))
    img.draft("RGB", (PHOTO_SIDE, PHOTO_SIDE))  # JPEG: decode at a reduced scale, fast
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, (255, 255, 255))
        img.paste(rgba, mask=rgba.getchannel("A"))
    else:
        img = img.convert("RGB")
    img.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name="photo.jpg")


class MemberForm(ScopedModelForm):
    # Wider than the stored values: people type NIKs with spaces and phones with dashes.
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("16 angka di KTP; boleh dengan spasi atau titik."),
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "0812-3456-7890"}),
    )
    status = forms.ChoiceField(
        label=_("Status awal"),
        choices=[(Status.ACTIVE, Status.ACTIVE.label), (Status.APPLICANT, Status.APPLICANT.label)],
        initial=Status.ACTIVE,
    )

    class Meta:
        model = Member
        fields = [
            "unit",
            "full_name",
            "gender",
            "birth_place",
            "birth_date",
            "nik",
            "phone",
            "email",
            "region_code",
            "address",
            "employer",
            "workplace",
            "department",
            "shift",
            "job_title",
            "employment_status",
            "joined_on",
            "recruitment_channel",
            "consent_method",
            "consent_text",
            "photo",
        ]
        widgets = {
            "birth_date": DATE,
            "joined_on": DATE,
            "address": forms.Textarea(attrs={"rows": 2}),
            "consent_text": forms.Textarea(attrs={"rows": 2}),
            "photo": PhotoInput(attrs={"accept": "image/*"}),
        }
        help_texts = {"photo": _("Opsional. JPEG atau PNG, paling besar 5 MB; dipakai di KTA.")}
        error_messages = {
            "photo": {
                "invalid_image": _(
                    "Berkas ini bukan gambar yang dapat dibaca. Unggah foto JPEG atau PNG."
                )
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["unit"].queryset = OrgUnit.objects.restrict(self.user, "view").filter(
            archived_at__isnull=True
        )
        if self.instance.pk:
            # moving a member is a transfer, and status has its own action
            del self.fields["unit"]
            del self.fields["status"]
            self.initial["phone"] = self.instance.phone
        if "photo" in self.fields and self.instance.pk:
            self.fields["photo"].widget.current_url = reverse(
                "members:photo", args=[self.instance.pk]
            )
        style_widgets(self)

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if any(c in name for c in "<>{}"):
            raise ValidationError(_("Nama tidak boleh berisi tanda < > { }."))
        return name

    def clean_nik(self) -> str:
        nik, warnings = nik_clean(self.cleaned_data.get("nik", ""))
        self.warnings += warnings
        return nik

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data.get("phone", ""))

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not isinstance(photo, UploadedFile):
            return photo  # unchanged (the stored photo), cleared (False) or none
        if photo.size and photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("Foto paling besar 5 MB."))
        try:
            return photo_reencode(photo)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ValidationError(
                _("Berkas ini bukan gambar yang dapat dibaca. Unggah foto JPEG atau PNG.")
            ) from exc

    def save(self, commit: bool = True) -> Member:
        member = super().save(commit=False)
        photo = member.photo
        if photo and not getattr(photo, "_committed", True):
            # Edits are written by the services with an UPDATE, which does not store files:
            # store the new photo now, under the field's random name.
            photo.save(photo.name, photo.file, save=False)
        if commit:
            member.save()
            self._save_m2m()
        return member

    def clean_birth_date(self) -> datetime.date | None:
        value = self.cleaned_data.get("birth_date")
        today = timezone.localdate()
        if value and not (today.year - 100 <= value.year and value <= today):
            raise ValidationError(_("Tanggal lahir tidak masuk akal."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        nik = data.get("nik")
        self.warnings += nik_crosscheck(nik or "", data.get("gender"), data.get("birth_date"))
        employer = data.get("employer")
        unit = data.get("unit") or getattr(self.instance, "unit", None)
        if nik and employer and unit is not None:
            elsewhere = (
                Member._base_manager.filter(nik=nik, employer=employer, status=Status.ACTIVE)
                .exclude(organisation_id=unit.organisation_id)
                .exclude(pk=self.instance.pk)
                .exists()
            )
            if elsewhere:
                self.warnings.append(
                    _(
                        "NIK ini tercatat sebagai anggota aktif serikat lain di perusahaan yang "
                        "sama. Pekerja harus memilih satu serikat secara tertulis "
                        "(UU 21/2000 Pasal 14)."
                    )
                )
        workplace = data.get("workplace")
        if workplace and employer and workplace.employer_id != employer.pk:
            self.add_error("workplace", _("Tempat kerja ini milik perusahaan lain."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status baru"))
    on = forms.DateField(label=_("Tanggal"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Alasan"), max_length=200, required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[member.status]
        self.fields["status"].choices = [(s.value, s.label) for s in Status if s in allowed]
        style_widgets(self)


class MembershipRuleForm(ScopedModelForm):
    class Meta:
        model = MembershipRule
        fields = ["organisation", "number_format"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = OrgUnit.objects.restrict(self.user).filter(
            parent__isnull=True
        )

    def clean_number_format(self) -> str:
        fmt = self.cleaned_data["number_format"].strip()
        if "{seq" not in fmt:
            raise ValidationError(_("Format harus memuat {seq:06} (nomor urut)."))
        try:
            fmt.format(unit_code="PUK", org_code="ORG", year=2026, seq=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(
                _("Format tidak dapat dipakai. Contoh: %(example)s")
                % {"example": DEFAULT_NUMBER_FORMAT}
            ) from exc
        return fmt


class TransferRequestForm(forms.Form):
    """Ask for a member to move: the receiving unit is named by its code (it may lie outside
    the asker's own scope, so it is typed, not picked from a list)."""

    to_unit_code = forms.CharField(
        label=_("Kode unit tujuan"),
        max_length=30,
        help_text=_("Kode unit penerima, misalnya PUK-SAM. Unit penerima yang menyetujui."),
    )
    reason = forms.CharField(label=_("Alasan"), max_length=200)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        style_widgets(self)

    def clean_to_unit_code(self) -> OrgUnit:
        code = self.cleaned_data["to_unit_code"].strip()
        unit = OrgUnit._base_manager.filter(
            organisation_id=self.member.organisation_id, code__iexact=code
        ).first()
        if unit is None:
            raise forms.ValidationError(
                _("Tidak ada unit berkode %(code)s di organisasi ini.") % {"code": code}
            )
        return unit


class TransferDecisionForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
