"""MLPerf Tiny reference models, the iPrune paper's models, and data sets."""
from tf_iprune import legacy_keras  # Must stay first: sets up Keras 2.
