"""The course package: check helpers, widgets, data sets and the instructor pipeline."""
