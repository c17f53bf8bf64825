from django.urls import path

from visuals import views

app_name = "visuals"

urlpatterns = [
    path("events/<slug:event_slug>/visuals/", views.gallery, name="gallery"),
    path("events/<slug:event_slug>/visuals/add/", views.add, name="add"),
    path("events/<slug:event_slug>/visuals/<int:pk>/", views.detail, name="detail"),
    path("events/<slug:event_slug>/visuals/<int:pk>/edit/", views.edit, name="edit"),
    path("events/<slug:event_slug>/visuals/<int:pk>/delete/", views.delete, name="delete"),
    path("events/<slug:event_slug>/visuals/<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("events/<slug:event_slug>/visuals/<int:pk>/cover/", views.cover, name="cover"),
    path("events/<slug:event_slug>/visuals/<int:pk>/discuss/", views.discuss, name="discuss"),
]
