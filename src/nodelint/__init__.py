"""nodelint: lint and fix Kubernetes node configuration."""

__version__ = "0.1.0"
