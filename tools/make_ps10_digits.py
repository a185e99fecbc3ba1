"""Write solutions/ps10_backprop/digits.npz: scikit-learn's 8x8 digits with chapter 10's split.

Students grade with NumPy only, so ps10 ships the data beside its notebook. Run from
the repository root after changing the split:

    .venv/bin/python -m tools.make_ps10_digits

The split is the book's (chapter 10): stratified, 20 % test, random_state=0. Pixels stay
the raw integers 0..16 (uint8); the notebook scales them.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

OUT = Path(__file__).resolve().parent.parent / "solutions" / "ps10_backprop" / "digits.npz"


def main():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images.astype(np.uint8), digits.target.astype(np.uint8), test_size=0.2, random_state=0,
        stratify=digits.target)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes): train {x_train.shape}, test {x_test.shape}")


if __name__ == "__main__":
    main()
