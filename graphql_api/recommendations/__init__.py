"""The recommendations area: a customer's recommended products, each with why."""
