"""Interactive demos of the course, one per chapter, and the images they use.

Each demo function returns a view that is a live ipywidgets widget in Jupyter
and a self-contained pre-rendered page on the static site; each has a
``draw_*`` twin returning a matplotlib figure for given settings. The demos
need matplotlib and ipywidgets (``pip install convblocks[demos]``); the rest
of convblocks needs NumPy only.
"""

from ._base import Control, Demo, DemoView, ImagePanel
from .images import sample_image
from .activations import ActivationExplorer, activation_explorer, draw_activation
from .channel_mixer import ChannelMixer, channel_mixer, draw_channel_mixer
from .feature_scaling import FeatureScalingExplorer, draw_feature_scaling, feature_scaling_explorer
from .padding_modes import PaddingModes, draw_padding_modes, padding_modes_explorer
from .pooling import PoolingExplorer, draw_pooling, pooling_explorer
from .separable import SeparableExplorer, draw_separable, separable_explorer
from .sliding_window import SlidingWindowExplorer, draw_sliding_window, sliding_window_explorer
from .upsampling import UpsamplingGallery, draw_upsampling, upsampling_gallery
from .weight_sharing import WeightSharingExplorer, draw_weight_sharing, weight_sharing_explorer

#: Every demo of the course: function name -> Demo class (used by the benchmark and tests).
DEMOS = {
    "weight_sharing_explorer": WeightSharingExplorer,
    "sliding_window_explorer": SlidingWindowExplorer,
    "padding_modes_explorer": PaddingModes,
    "pooling_explorer": PoolingExplorer,
    "channel_mixer": ChannelMixer,
    "separable_explorer": SeparableExplorer,
    "upsampling_gallery": UpsamplingGallery,
    "activation_explorer": ActivationExplorer,
    "feature_scaling_explorer": FeatureScalingExplorer,
}

__all__ = [
    "DEMOS",
    "Control", "Demo", "DemoView", "ImagePanel", "sample_image",
    "WeightSharingExplorer", "weight_sharing_explorer", "draw_weight_sharing",
    "SlidingWindowExplorer", "sliding_window_explorer", "draw_sliding_window",
    "PaddingModes", "padding_modes_explorer", "draw_padding_modes",
    "PoolingExplorer", "pooling_explorer", "draw_pooling",
    "ChannelMixer", "channel_mixer", "draw_channel_mixer",
    "SeparableExplorer", "separable_explorer", "draw_separable",
    "UpsamplingGallery", "upsampling_gallery", "draw_upsampling",
    "ActivationExplorer", "activation_explorer", "draw_activation",
    "FeatureScalingExplorer", "feature_scaling_explorer", "draw_feature_scaling",
]
