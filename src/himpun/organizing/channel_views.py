"""Recruitment channels pages."""

urlpatterns: list = []
