"""Harmless tasks for the background-work tests: the worker subprocess imports this module (``--include``)."""

from celery import shared_task


@shared_task
def add(first: int, second: int) -> int:
    """The sum of two numbers: a group of these and a chord's header."""
    return first + second


@shared_task
def total(numbers: list[int]) -> int:
    """A chord's callback: the sum of its header's results."""
    return sum(numbers)
