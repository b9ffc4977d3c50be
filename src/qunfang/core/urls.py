from django.urls import path

from qunfang.core import views, views_jobs

app_name = "core"

urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("accounts/", views.user_list, name="user_list"),
    path("accounts/<int:pk>/", views.user_detail, name="user_detail"),
    path("accounts/<int:pk>/reveal/<str:field>/", views.user_reveal, name="user_reveal"),
    path("security-log/", views.security_log, name="security_log"),
    path("me/", views.account, name="account"),
    path("me/password/", views.password_change, name="password_change"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job"),
    path("me/messages/", views.notification_settings, name="notification_settings"),
]
