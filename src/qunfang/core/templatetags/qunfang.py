from datetime import timedelta
from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from qunfang.core.models import ChainHead, Region

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    return int(value.total_seconds() // 60) if value else 0


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """This page's query string with another page number: filters and search survive paging."""
    params = context["request"].GET.copy()
    params["page"] = number
    query: str = params.urlencode()
    return "?" + query


@register.simple_tag
def book_head(book: str, region: "Region") -> "ChainHead | None":
    """The head of a region's chain in a book, for the foot of its printed register: the paper
    keeps the line count and hash outside the database (see core/books/verify.py)."""
    from qunfang.core.models import ChainHead

    return ChainHead.objects.filter(name=f"{book}/{region.pk}").first()


@register.simple_tag(takes_context=True)
def pdf_url(context: template.Context) -> str:
    """This page as a PDF: the same query with `format=pdf` (see core/pdf.py)."""
    from qunfang.core.pdf import pdf_query

    return pdf_query(context["request"])
