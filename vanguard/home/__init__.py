"""The pages that join every app: the home page, the navigation and who-am-I."""
