"""Kustomize, built in-process: a kustomization's objects as positioned trees
whose every node keeps the file and line that gave it its value."""
