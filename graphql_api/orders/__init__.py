"""Order tracking: recording fulfilment steps, and an order's status and timeline."""
