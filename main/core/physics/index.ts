// Public surface of the FD acoustic solver (see README.md).
export {
  acquisitionGeometrySchema,
  openfwiGeometry,
  recordedSamples,
  validateGeometry,
  OPENFWI_SPONGE_CELLS,
  type AcquisitionGeometry,
  type BoundarySpec,
  type GridCell,
  type RickerWavelet,
  type VelocityShape,
} from './geometry.ts';
export { checkStability, courantLimit, velocityRange, MAX_FREQUENCY_PER_PEAK, MIN_POINTS_PER_WAVELENGTH, type StabilityReport } from './checks.ts';
export { rickerValue, sampleWavelet } from './wavelet.ts';
export { forwardModel, modelWavefield, seismicSampleLength, type ForwardOptions, type Wavefield, type WavefieldOptions } from './solver.ts';
export { resolveKernel, KERNEL_CHOICES, type FdKernel, type KernelChoice, type KernelName } from './kernels.ts';
export { FdWorkerPool, type FdWorkerPoolOptions } from './pool.ts';
