"""A partnership's relationships over time: its map, each relationship's history, and the action
tracker (blueprint.py, service.py, forms.py, map.py, history.py, tracker.py)."""
