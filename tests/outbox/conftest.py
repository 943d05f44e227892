"""Outbox tests: delivery guarantees against the local channel stubs."""

from tests.channels.fixtures import *  # noqa: F403
