"""Forms of the treasurer's screens: a dues payment, a cash-book line, a remittance up the
tree, a reversal. Each carries a one-time key, so a form sent twice is posted once."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himpun.core.forms import style_widgets
from himpun.core.templatetags.himpun import rupiah
from himpun.dues.choices import Direction, Method
from himpun.dues.models import CashCategory
from himpun.imports.parsing import ParseError, parse_amount

#: Methods a treasurer records by hand (check-off comes from the employer's file).
HAND_METHODS = [(m.value, m.label) for m in Method if m != Method.CHECKOFF]
DATE_FORMAT = "%d/%m/%Y"
DATE_INPUTS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y"]


class AmountField(forms.CharField):
    """Whole rupiah typed the way people write them: "Rp 150.000", "150,000", "150rb"."""

    def __init__(self, *args: Any, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 30})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()[:30]
        if not text:
            return None
        if self.allow_zero and re.sub(r"[Rr]p|[\s.,0-]", "", text) == "":
            return 0
        try:
            return parse_amount(text)
        except ParseError as exc:
            raise ValidationError(str(exc), code="amount") from exc


class DateField(forms.DateField):
    """A date typed as Indonesians write it (23/11/2026)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format=DATE_FORMAT, attrs={"placeholder": "hh/bb/tttt", "inputmode": "numeric"}
            ),
        )
        kwargs.setdefault("input_formats", DATE_INPUTS)
        kwargs.setdefault("initial", timezone.localdate)
        super().__init__(*args, **kwargs)


class KeyedForm(forms.Form):
    """A form with a one-time key: the ledger refuses a second entry with the same key."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4().hex
        style_widgets(self)


class PaymentForm(KeyedForm):
    months = forms.IntegerField(label=_("Jumlah bulan"), min_value=1, max_value=60, initial=1)
    amount = AmountField(label=_("Jumlah dibayar (Rp)"))
    method = forms.ChoiceField(
        label=_("Cara bayar"), choices=HAND_METHODS, initial=Method.CASH, widget=forms.RadioSelect
    )
    on = DateField(label=_("Tanggal bayar"))
    joining_fee = AmountField(
        label=_("Termasuk uang pangkal (Rp)"),
        required=False,
        allow_zero=True,
        help_text=_("Hanya untuk anggota baru; bagian dari jumlah di atas."),
    )
    reference = forms.CharField(
        label=_("Referensi transfer/QRIS"),
        required=False,
        max_length=100,
        help_text=_("Nomor atau berita transfer, bila ada."),
    )
    proof = forms.FileField(label=_("Bukti transfer (foto/PDF)"), required=False)

    def __init__(self, *args: Any, monthly: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.monthly = monthly
        if monthly:
            self.fields["amount"].initial = monthly
            self.fields["amount"].help_text = _("Iuran per bulan %(amount)s.") % {
                "amount": rupiah(monthly)
            }
        self.fields["method"].widget.attrs["class"] = "form-check-input"
        self.fields["proof"].widget.attrs["accept"] = "image/*,application/pdf"

    def clean_joining_fee(self) -> int:
        return self.cleaned_data.get("joining_fee") or 0


class CashForm(KeyedForm):
    direction = forms.ChoiceField(
        label=_("Jenis"), choices=Direction.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(label=_("Kategori"), queryset=CashCategory.objects.none())
    amount = AmountField(label=_("Jumlah (Rp)"))
    description = forms.CharField(label=_("Uraian"), max_length=200)
    on = DateField(label=_("Tanggal"))
    receipt = forms.FileField(label=_("Bukti (foto nota/kuitansi)"), required=False)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CashCategory.objects.filter(
            organisation_id=organisation_id, archived_at__isnull=True
        ).order_by("name")
        self.fields["category"].empty_label = _("— pilih —")
        self.fields["direction"].widget.attrs["class"] = "form-check-input"
        self.fields["receipt"].widget.attrs["accept"] = "image/*,application/pdf"


class RemittanceForm(KeyedForm):
    to_unit = forms.TypedChoiceField(label=_("Disetor ke"), coerce=int)
    amount = AmountField(label=_("Jumlah (Rp)"))
    on = DateField(label=_("Tanggal setor"))
    reference = forms.CharField(label=_("Referensi transfer"), required=False, max_length=100)

    def __init__(self, *args: Any, targets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = targets


class ReverseForm(KeyedForm):
    reason = forms.CharField(
        label=_("Alasan pembatalan"),
        max_length=200,
        help_text=_("Misalnya: salah anggota, salah jumlah, dicatat dua kali."),
    )
