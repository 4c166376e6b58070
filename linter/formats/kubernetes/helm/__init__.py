"""Helm charts as a source of Kubernetes objects: rendered offline, every
rendered node mapped back to the template or values line that wrote it."""
