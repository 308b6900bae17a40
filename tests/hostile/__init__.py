"""A generator of hostile inputs: valid files of every kind, cut, garbled and bent."""
