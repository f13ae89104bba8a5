"""The enhancement priorities read model: feedback themes, how many customers raise them,
their NPS impact, and the product managers' decisions on them."""
