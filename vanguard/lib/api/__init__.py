"""What every app's API module shares: the error shapes and the pagination."""
