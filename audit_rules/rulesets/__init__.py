"""Built-in rulesets (YAML), loaded by name with importlib.resources."""
