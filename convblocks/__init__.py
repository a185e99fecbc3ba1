"""convblocks: the NumPy building blocks of convolutional networks behind the Conv Blocks course.

Names and signatures follow ``torch.nn.functional``; tensors are NCHW and
"convolution" means cross-correlation (no kernel flip), as in every
deep-learning framework. Every public function is importable from the package
itself or from the module named for what it holds (``convblocks.conv``,
``convblocks.pooling``, ...).
"""

from . import activations, arithmetic, conv, dense, fast, gradcheck, init, losses, optim, padding, pooling, scaling, upsampling
from .activations import *  # noqa: F401,F403
from .arithmetic import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .fast import *  # noqa: F401,F403
from .gradcheck import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .scaling import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

__version__ = "0.1.0"
