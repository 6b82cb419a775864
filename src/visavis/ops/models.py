"""Service-wide counts for the metrics endpoint: aggregates only, nothing about anyone."""

from django.db import models


class Counter(models.Model):
    """A named count that only goes up, shared by every server process through the database."""

    name = models.CharField(primary_key=True, max_length=50)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"
