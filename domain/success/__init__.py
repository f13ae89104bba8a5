"""Customer success: the health score of each customer and the success plans staff keep with
them."""
