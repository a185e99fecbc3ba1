"""Interactive demos of the course, one per chapter, and the images they use.

Each demo function returns a view that is a live ipywidgets widget in Jupyter
and a self-contained pre-rendered page on the static site; each has a
``draw_*`` twin returning a matplotlib figure for given settings. The demos
need matplotlib and ipywidgets (``pip install convblocks[demos]``); the rest
of convblocks needs NumPy only.
"""

from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image
from .channel_mixer import ChannelMixer, channel_mixer, draw_channel_mixer
from .padding_modes import PaddingModes, draw_padding_modes, padding_modes_explorer
from .pooling import PoolingExplorer, draw_pooling, pooling_explorer
from .sliding_window import SlidingWindowExplorer, draw_sliding_window, sliding_window_explorer
from .weight_sharing import WeightSharingExplorer, draw_weight_sharing, weight_sharing_explorer

#: Every demo of the course: function name -> Demo class (used by the benchmark and tests).
DEMOS = {
    "weight_sharing_explorer": WeightSharingExplorer,
    "sliding_window_explorer": SlidingWindowExplorer,
    "padding_modes_explorer": PaddingModes,
    "pooling_explorer": PoolingExplorer,
    "channel_mixer": ChannelMixer,
}

__all__ = [
    "DEMOS",
    "Control", "Demo", "DemoView", "ImagePanel", "sample_image",
    "WeightSharingExplorer", "weight_sharing_explorer", "draw_weight_sharing",
    "SlidingWindowExplorer", "sliding_window_explorer", "draw_sliding_window",
    "PaddingModes", "padding_modes_explorer", "draw_padding_modes",
    "PoolingExplorer", "pooling_explorer", "draw_pooling",
    "ChannelMixer", "channel_mixer", "draw_channel_mixer",
]
