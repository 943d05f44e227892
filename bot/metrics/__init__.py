"""Prometheus metrics: this process's counters and timings (`instruments`), the shared state
read from the database when scraped (`database`), and the `/metrics` route (`endpoint`)."""
