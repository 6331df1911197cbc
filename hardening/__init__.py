"""hardening: an agentless CIS-benchmark and hardening auditor for Kubernetes fleets."""

__version__ = "0.1.0"
