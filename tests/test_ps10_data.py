"""The digits file shipped with ps10 is scikit-learn's digits with chapter 10's split.

ps10 is graded with NumPy only, so its data travels as solutions/ps10_backprop/digits.npz
(written by tools/make_ps10_digits.py). The book (chapter 10) splits the same data with
scikit-learn; this test keeps the two in step, and the released copy equal to the source.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "solutions" / "ps10_backprop" / "digits.npz"
RELEASED = REPO / "exercises" / "ps10_backprop" / "digits.npz"


def test_shipped_digits_are_the_books_split():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
    with np.load(SOURCE) as data:
        assert set(data.files) == {"x_train", "y_train", "x_test", "y_test"}
        for name, expected in [("x_train", x_train), ("x_test", x_test), ("y_train", y_train), ("y_test", y_test)]:
            assert np.array_equal(data[name], expected), name
        assert data["x_train"].dtype == np.uint8 and data["x_train"].max() == 16


def test_released_digits_match_the_source():
    with np.load(SOURCE) as src, np.load(RELEASED) as rel:
        for name in src.files:
            assert np.array_equal(src[name], rel[name]), name
