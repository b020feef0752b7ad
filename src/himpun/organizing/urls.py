"""Organising pages outside the generic screens, one list of URLs per topic."""

from himpun.organizing import (
    campaign_views,
    channel_views,
    contact_views,
    evaluation_views,
    target_views,
)

app_name = "organizing"

urlpatterns = [
    *contact_views.urlpatterns,
    *campaign_views.urlpatterns,
    *target_views.urlpatterns,
    *channel_views.urlpatterns,
    *evaluation_views.urlpatterns,
]
