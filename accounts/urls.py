from django.urls import path

from . import reset, views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("choisir-mon-mot-de-passe/", views.password_choose_view, name="password_choose"),
    # « Mot de passe oublié »: one address per page, as in the registration.
    *(
        path(
            "mot-de-passe-oublie/" + page.url,
            views.password_reset_step,
            {"slug": page.slug},
            name=page.url_name,
        )
        for page in reset.PAGES
    ),
    path(
        "mot-de-passe-oublie/demande-enregistree/",
        views.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/abandonner/",
        views.password_reset_abandon,
        name="password_reset_abandon",
    ),
]
