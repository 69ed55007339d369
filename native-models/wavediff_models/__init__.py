"""WaveDiffusion Studio's PyTorch models: stage 1 (shared seismic/velocity latent space with a
vector quantiser), stage 2 (latent diffusion UNet), InversionNet; training, ONNX export,
evaluation. Run as a child process of the app; see native-models/README.md for the contract."""

__version__ = '0.1.0'

# Version of manifest.json and of the JSON-lines protocol; bump on incompatible change.
MANIFEST_FORMAT_VERSION = 1
PROTOCOL_VERSION = 1
