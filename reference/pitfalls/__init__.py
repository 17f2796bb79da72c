"""The pitfall catalogue: documented backprop bugs as small broken variants of the reference."""
