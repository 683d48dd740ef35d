"""The listing service: which media each product listing uses, and deletes that respect them."""
