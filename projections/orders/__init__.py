"""The order tracking read model: each tracked order's status, lines, shipment and timeline."""
