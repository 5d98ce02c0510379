"""The pages that join every app: the home page and the navigation.

It sits above every domain app (and the API), so it may ask each of them; nothing
below imports it."""
