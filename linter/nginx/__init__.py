"""nginx support: syntax (positions), includes (assembly) and the effective configuration."""
