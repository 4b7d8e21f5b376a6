"""What several nodes on one PostgreSQL database need: leases, readiness, moving data."""
