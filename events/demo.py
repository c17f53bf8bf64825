"""Demo data drawn from the seed post, and synthetic events for benchmarks."""


def load(*, scale: int = 0, stdout=None) -> None:
    """Create or update the demo events (idempotent); `scale` adds that many synthetic events."""
