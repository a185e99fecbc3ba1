"""Interactive demos of the course, one per chapter, and the images they use.

Each demo function returns a view that is a live ipywidgets widget in Jupyter
and a self-contained pre-rendered page on the static site; each has a
``draw_*`` twin returning a matplotlib figure for given settings. The demos
need matplotlib and ipywidgets (``pip install convblocks[demos]``); the rest
of convblocks needs NumPy only.
"""

from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image
from .pooling import PoolingExplorer, draw_pooling, pooling_explorer

#: Every demo of the course: function name -> Demo class (used by the benchmark and tests).
DEMOS = {
    "pooling_explorer": PoolingExplorer,
}

__all__ = [
    "DEMOS",
    "Control", "Demo", "DemoView", "ImagePanel", "sample_image",
    "PoolingExplorer", "pooling_explorer", "draw_pooling",
]
