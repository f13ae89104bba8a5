"""The ticket read model (projection ``ticket_timeline``): tickets with their SLA clocks, one
timeline step per event, lists and queues, and the service metrics."""
