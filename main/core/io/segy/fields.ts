/**
 * SEG-Y header layouts. Trace header fields are named exactly as segyio's `TraceField`
 * (all 91 of them, 1-based byte positions as in the standard); binary header fields as
 * segyio's `BinField`, plus the rev-2 words segyio does not name.
 */

/** [name, 1-based byte position, size in bytes] for the 240-byte standard trace header. */
const TRACE_FIELD_TABLE = [
  ['TRACE_SEQUENCE_LINE', 1, 4],
  ['TRACE_SEQUENCE_FILE', 5, 4],
  ['FieldRecord', 9, 4],
  ['TraceNumber', 13, 4],
  ['EnergySourcePoint', 17, 4],
  ['CDP', 21, 4],
  ['CDP_TRACE', 25, 4],
  ['TraceIdentificationCode', 29, 2],
  ['NSummedTraces', 31, 2],
  ['NStackedTraces', 33, 2],
  ['DataUse', 35, 2],
  ['offset', 37, 4],
  ['ReceiverGroupElevation', 41, 4],
  ['SourceSurfaceElevation', 45, 4],
  ['SourceDepth', 49, 4],
  ['ReceiverDatumElevation', 53, 4],
  ['SourceDatumElevation', 57, 4],
  ['SourceWaterDepth', 61, 4],
  ['GroupWaterDepth', 65, 4],
  ['ElevationScalar', 69, 2],
  ['SourceGroupScalar', 71, 2],
  ['SourceX', 73, 4],
  ['SourceY', 77, 4],
  ['GroupX', 81, 4],
  ['GroupY', 85, 4],
  ['CoordinateUnits', 89, 2],
  ['WeatheringVelocity', 91, 2],
  ['SubWeatheringVelocity', 93, 2],
  ['SourceUpholeTime', 95, 2],
  ['GroupUpholeTime', 97, 2],
  ['SourceStaticCorrection', 99, 2],
  ['GroupStaticCorrection', 101, 2],
  ['TotalStaticApplied', 103, 2],
  ['LagTimeA', 105, 2],
  ['LagTimeB', 107, 2],
  ['DelayRecordingTime', 109, 2],
  ['MuteTimeStart', 111, 2],
  ['MuteTimeEND', 113, 2],
  ['TRACE_SAMPLE_COUNT', 115, 2],
  ['TRACE_SAMPLE_INTERVAL', 117, 2],
  ['GainType', 119, 2],
  ['InstrumentGainConstant', 121, 2],
  ['InstrumentInitialGain', 123, 2],
  ['Correlated', 125, 2],
  ['SweepFrequencyStart', 127, 2],
  ['SweepFrequencyEnd', 129, 2],
  ['SweepLength', 131, 2],
  ['SweepType', 133, 2],
  ['SweepTraceTaperLengthStart', 135, 2],
  ['SweepTraceTaperLengthEnd', 137, 2],
  ['TaperType', 139, 2],
  ['AliasFilterFrequency', 141, 2],
  ['AliasFilterSlope', 143, 2],
  ['NotchFilterFrequency', 145, 2],
  ['NotchFilterSlope', 147, 2],
  ['LowCutFrequency', 149, 2],
  ['HighCutFrequency', 151, 2],
  ['LowCutSlope', 153, 2],
  ['HighCutSlope', 155, 2],
  ['YearDataRecorded', 157, 2],
  ['DayOfYear', 159, 2],
  ['HourOfDay', 161, 2],
  ['MinuteOfHour', 163, 2],
  ['SecondOfMinute', 165, 2],
  ['TimeBaseCode', 167, 2],
  ['TraceWeightingFactor', 169, 2],
  ['GeophoneGroupNumberRoll1', 171, 2],
  ['GeophoneGroupNumberFirstTraceOrigField', 173, 2],
  ['GeophoneGroupNumberLastTraceOrigField', 175, 2],
  ['GapSize', 177, 2],
  ['OverTravel', 179, 2],
  ['CDP_X', 181, 4],
  ['CDP_Y', 185, 4],
  ['INLINE_3D', 189, 4],
  ['CROSSLINE_3D', 193, 4],
  ['ShotPoint', 197, 4],
  ['ShotPointScalar', 201, 2],
  ['TraceValueMeasurementUnit', 203, 2],
  ['TransductionConstantMantissa', 205, 4],
  ['TransductionConstantPower', 209, 2],
  ['TransductionUnit', 211, 2],
  ['TraceIdentifier', 213, 2],
  ['ScalarTraceHeader', 215, 2],
  ['SourceType', 217, 2],
  ['SourceEnergyDirectionMantissa', 219, 4],
  ['SourceEnergyDirectionExponent', 223, 2],
  ['SourceMeasurementMantissa', 225, 4],
  ['SourceMeasurementExponent', 229, 2],
  ['SourceMeasurementUnit', 231, 2],
  ['UnassignedInt1', 233, 4],
  ['UnassignedInt2', 237, 4],
] as const;

export type TraceFieldName = (typeof TRACE_FIELD_TABLE)[number][0];

export interface HeaderField<Name extends string = string> {
  name: Name;
  /** 1-based byte position within its header, as the standard and segyio number them. */
  byte: number;
  size: 2 | 4;
}

export const TRACE_FIELDS: readonly HeaderField<TraceFieldName>[] = TRACE_FIELD_TABLE.map(([name, byte, size]) => ({
  name,
  byte,
  size,
}));

export const TRACE_FIELD_BY_NAME: ReadonlyMap<string, HeaderField<TraceFieldName>> = new Map(
  TRACE_FIELDS.map((field) => [field.name, field]),
);

/** A trace header as stored: the signed integers of every standard field (no scalar applied). */
export type TraceHeader = Record<TraceFieldName, number>;

export const TEXT_HEADER_BYTES = 3200;
export const BINARY_HEADER_BYTES = 400;
export const TRACE_HEADER_BYTES = 240;
/** Where the first trace starts when there are no extended textual headers. */
export const FILE_HEADER_BYTES = TEXT_HEADER_BYTES + BINARY_HEADER_BYTES;

/** Byte positions (1-based, file-absolute, as the standard numbers them) of the binary header words we use. */
export const BINARY = {
  JobID: 3201,
  LineNumber: 3205,
  ReelNumber: 3209,
  Traces: 3213,
  AuxTraces: 3215,
  Interval: 3217,
  IntervalOriginal: 3219,
  Samples: 3221,
  SamplesOriginal: 3223,
  Format: 3225,
  EnsembleFold: 3227,
  SortingCode: 3229,
  MeasurementSystem: 3255,
  /** rev 2: extended samples per trace (uint32), overrides `Samples` when non-zero. */
  ExtSamples: 3269,
  /** rev 2: extended sample interval (IEEE double), overrides `Interval` when non-zero. */
  ExtInterval: 3273,
  /** rev 2: 0x01020304 written in the file's byte order. */
  ByteOrder: 3297,
  /** rev 2: major revision byte; 3502 is the minor revision byte. */
  SEGYRevision: 3501,
  SEGYRevisionMinor: 3502,
  TraceFlag: 3503,
  ExtendedHeaders: 3505,
  /** rev 2: number of traces in the file (uint64). */
  ExtTraces: 3513,
  /** rev 2: byte offset of the first trace (uint64). */
  FirstTraceOffset: 3521,
} as const;

/** The binary header position (0-based within the 400-byte binary header) of a 1-based file byte. */
export function binaryOffset(byte: number): number {
  return byte - 1 - TEXT_HEADER_BYTES;
}

/** Reads one standard trace field as the signed integer stored there. */
export function readTraceField(view: DataView, headerOffset: number, field: HeaderField, littleEndian: boolean): number {
  const at = headerOffset + field.byte - 1;
  return field.size === 4 ? view.getInt32(at, littleEndian) : view.getInt16(at, littleEndian);
}

/** Decodes all 91 standard fields of the trace header that starts at `headerOffset`. */
export function readTraceHeader(view: DataView, headerOffset: number, littleEndian: boolean): TraceHeader {
  const header = {} as TraceHeader;
  for (const field of TRACE_FIELDS) header[field.name] = readTraceField(view, headerOffset, field, littleEndian);
  return header;
}

/** The field for a user-given TraceField name, or a 'bad_input' explanation. */
export function traceFieldNamed(name: string): HeaderField<TraceFieldName> | undefined {
  return TRACE_FIELD_BY_NAME.get(name);
}

/**
 * SEG-Y scalar rule (bytes 69-70 and 71-72): a positive scalar multiplies, a negative one
 * divides by its magnitude, zero means 1.
 */
export function applyScalar(value: number, scalar: number): number {
  if (scalar === 0 || scalar === 1) return value;
  return scalar > 0 ? value * scalar : value / -scalar;
}

/** Coordinates and elevations as a user sees them: the trace's scalars applied (units per `CoordinateUnits`). */
export interface TraceGeometry {
  sourceX: number;
  sourceY: number;
  groupX: number;
  groupY: number;
  cdpX: number;
  cdpY: number;
  /** Signed source–receiver distance; the standard defines no scalar for it. */
  offset: number;
  receiverGroupElevation: number;
  sourceSurfaceElevation: number;
  sourceDepth: number;
  receiverDatumElevation: number;
  sourceDatumElevation: number;
  sourceWaterDepth: number;
  groupWaterDepth: number;
}

export function traceGeometry(header: TraceHeader): TraceGeometry {
  const xy = header.SourceGroupScalar;
  const z = header.ElevationScalar;
  return {
    sourceX: applyScalar(header.SourceX, xy),
    sourceY: applyScalar(header.SourceY, xy),
    groupX: applyScalar(header.GroupX, xy),
    groupY: applyScalar(header.GroupY, xy),
    // rev 1 applies bytes 71-72 to the CDP coordinates as well.
    cdpX: applyScalar(header.CDP_X, xy),
    cdpY: applyScalar(header.CDP_Y, xy),
    offset: header.offset,
    receiverGroupElevation: applyScalar(header.ReceiverGroupElevation, z),
    sourceSurfaceElevation: applyScalar(header.SourceSurfaceElevation, z),
    sourceDepth: applyScalar(header.SourceDepth, z),
    receiverDatumElevation: applyScalar(header.ReceiverDatumElevation, z),
    sourceDatumElevation: applyScalar(header.SourceDatumElevation, z),
    sourceWaterDepth: applyScalar(header.SourceWaterDepth, z),
    groupWaterDepth: applyScalar(header.GroupWaterDepth, z),
  };
}

/** Delay recording time in milliseconds, with the rev-1 time scalar (bytes 215-216) applied. */
export function delayRecordingTimeMs(header: TraceHeader): number {
  return applyScalar(header.DelayRecordingTime, header.ScalarTraceHeader);
}
