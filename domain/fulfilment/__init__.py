"""Order tracking: an order's fulfilment steps (placed, paid, packed, shipped, delivered,
returned), recorded by staff or by the shop system's signed webhook."""
