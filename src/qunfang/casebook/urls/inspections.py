"""Safety inspections (安全检查) and rectification orders (整改通知); joined into the `casebook`
namespace by urls/__init__.py."""

from django.urls import path

from qunfang.casebook.views import inspections as views

urlpatterns: list = [
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path(
        "inspections/register/", views.inspection_register_print, name="inspection_register_print"
    ),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/record/", views.inspection_record, name="inspection_record"),
    path("inspections/<int:pk>/hazards/new/", views.hazard_add, name="hazard_add"),
    path("inspections/<int:pk>/print/", views.inspection_print, name="inspection_print"),
    path("inspections/photos/<int:pk>/", views.hazard_photo, name="hazard_photo"),
    path("hazards/<int:pk>/order/", views.order_create, name="order_create"),
    path("orders/overdue/", views.overdue_orders, name="overdue_orders"),
    path("orders/<int:pk>/done/", views.order_report_done, name="order_report_done"),
    path("orders/<int:pk>/reinspect/", views.order_reinspect, name="order_reinspect"),
]
