"""The tickets area of the API: service requests, their timelines, SLA clocks and metrics."""
