"""Input (`inputs`) and output (`outputs`) shapes of the waste API, kept apart."""
