from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qunfang.api.api import api
from qunfang.core import views as core_views
from qunfang.core.forms import LoginForm

admin.site.site_header = admin.site.site_title = "Qunfang 群防"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path(
        "login/",
        core_views.LoginView.as_view(
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            extra_context={"idle_minutes": settings.SESSION_IDLE_SECONDS // 60},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("qunfang.core.urls")),
    path("registry/", include("qunfang.registry.urls")),
    path("patrols/", include("qunfang.patrols.urls")),
    path("books/", include("qunfang.casebook.urls")),
    path("governance/", include("qunfang.governance.urls")),
]

handler400 = "qunfang.core.views.error_400"
handler403 = "qunfang.core.views.error_403"
handler404 = "qunfang.core.views.error_404"
handler500 = "qunfang.core.views.error_500"
