from django.urls import path

from himpun.dues import checkoff_views, member_dues_views, report_views, views

app_name = "dues"

urlpatterns = [
    path("iuran/", views.index, name="index"),
    path("iuran/bayar/<int:pk>/", views.payment_new, name="payment_new"),
    path("iuran/kuitansi/<int:pk>/", views.receipt, name="receipt"),
    path("iuran/kuitansi/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("iuran/keuangan/<int:pk>/", views.finance, name="finance"),
    path("iuran/keuangan/<int:pk>/kas/", views.cash_new, name="cash_new"),
    path("iuran/keuangan/<int:pk>/setor/", views.remittance_new, name="remittance_new"),
    path("iuran/keuangan/<int:pk>/tutup-buku/", views.month_close, name="month_close"),
    path("iuran/keuangan/<int:pk>/buku-kas.xlsx", views.cash_book_export, name="cash_book_export"),
    path("iuran/keuangan/<int:pk>/buku-kas.pdf", views.cash_book_pdf_view, name="cash_book_pdf"),
    path("iuran/potong-upah/", checkoff_views.batches, name="checkoff_batches"),
    path("iuran/potong-upah/<int:pk>/", checkoff_views.batch, name="checkoff_batch"),
    path("iuran/potong-upah/baris/<int:pk>/", checkoff_views.line, name="checkoff_line"),
    path("iuran/jurnal/<int:pk>/batalkan/", views.entry_reverse, name="entry_reverse"),
    path("iuran/laporan/<int:pk>/", report_views.report, name="report"),
    path(
        "iuran/laporan/<int:pk>/unduh.<str:fmt>",
        report_views.report_export,
        name="report_export",
    ),
    path("iuran/tunggakan/<int:pk>/", report_views.reminders, name="reminders"),
    path(
        "iuran/anggota/<int:pk>/data/",
        member_dues_views.member_dues_edit,
        name="member_dues_edit",
    ),
]
