"""What this process counts and times. Counters and histograms are per process: Prometheus
scrapes every process and `sum()` adds them up (a restart starts them at zero, which `rate()`
understands)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram

from bot.nlu.types import NluBackend, NluResult

# Seconds: a turn is tens of milliseconds; a slow database or a Rasa server shows in the tail.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One registry per runtime (tests build several runtimes in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.received = Counter(
            "helpline_messages_received",
            "Messages from workers stored (repeated deliveries not counted), by channel.",
            ["channel"],
            registry=self.registry,
        )
        self.sent = Counter(
            "helpline_messages_sent",
            "Messages to workers that their channel accepted, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self.send_failures = Counter(
            "helpline_send_failures",
            "Sends a channel refused, by channel and what follows: retry (later, again), "
            "paced (the channel asked us to wait), held (outside the channel's window), failed.",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.processing = Histogram(
            "helpline_processing_seconds",
            "Time to understand and answer one worker's message (NLU, dialogue, storing).",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.live_notifications = Counter(
            "helpline_live_notifications",
            "Live-update notifications on PostgreSQL (bot/cases/live_bus.py): payloads sent, "
            "and those heard from other processes.",
            ["direction"],
            registry=self.registry,
        )
        self.nlu = Histogram(
            "helpline_nlu_seconds",
            "Time of one NLU parse (a message, or one part of it).",
            ["outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )


class TimedNlu:
    """An NLU backend that records how long each parse took."""

    def __init__(self, backend: NluBackend, metrics: Metrics) -> None:
        self.backend = backend
        self._ok = metrics.nlu.labels(outcome="ok")
        self._error = metrics.nlu.labels(outcome="error")

    async def parse(self, text: str) -> NluResult:
        started = time.perf_counter()
        try:
            result = await self.backend.parse(text)
        except Exception:
            self._error.observe(time.perf_counter() - started)
            raise
        self._ok.observe(time.perf_counter() - started)
        return result
