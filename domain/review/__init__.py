"""Product reviews: one review per product (sku) per customer, editable, moderated by staff."""
