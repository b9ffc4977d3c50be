from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    return int(value.total_seconds() // 60) if value else 0


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """This page's query string with another page number: filters and search survive paging."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.simple_tag
def book_head(book: str, region):
    """The head of a region's chain in a book, for the foot of its printed register: the paper
    keeps the line count and hash outside the database (see core/books/verify.py)."""
    from qunfang.core.models import ChainHead

    return ChainHead.objects.filter(name=f"{book}/{region.pk}").first()
