"""Named, declarative audits (audits/*.yaml) and their renderers."""
