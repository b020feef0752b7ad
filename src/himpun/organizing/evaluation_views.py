"""evaluation pages outside the generic screens."""

urlpatterns: list = []
