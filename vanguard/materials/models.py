"""The app's models live in their workflows' sub-packages; Django finds them here."""
