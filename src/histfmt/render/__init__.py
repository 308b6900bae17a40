"""Drawing documents: images with matplotlib + mplhep, text for the terminal."""
