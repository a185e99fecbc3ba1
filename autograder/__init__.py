"""Grading for the Conv Blocks assignments (nbgrader based): python -m autograder --help."""
