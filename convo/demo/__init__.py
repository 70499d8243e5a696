"""The demo conversation: seed 001's Example 3, a partnership starting to work with its
Primary Care Network and Clinical Commissioning Group."""
