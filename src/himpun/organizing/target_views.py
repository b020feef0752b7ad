"""target pages outside the generic screens."""

urlpatterns: list = []
