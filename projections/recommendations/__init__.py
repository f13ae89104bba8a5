"""Product recommendations from purchase co-occurrence: the ``product_affinity`` read model
(which products each customer bought, how many customers bought each pair of products, each
customer's latest aspect scores) and its typed queries."""
