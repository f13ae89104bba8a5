"""`/metrics` in the Prometheus text format: this process's GraphQL operations and HTTP
requests, and, read at each scrape, the log's head, each read model's lag, the outbox's
backlog and the read pool's use."""
