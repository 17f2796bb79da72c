"""Layer checks beyond the dense network: the CS231n layer kinds, how to draw a case for
each, and how to call a forward/backward pair on it."""
