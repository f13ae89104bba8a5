"""The billing area of the API: what the payment provider reported, for the customer."""
