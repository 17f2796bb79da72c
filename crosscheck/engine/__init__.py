"""The comparison engine: per-tensor comparison, the tolerance table, the majority vote, one
network checked against the oracles (``check``), random campaigns, and shrinking."""
