type FloatArray = Float32Array | Float64Array;

/** The parts end to end in one new array of the given type. */
export function concatenated<A extends FloatArray>(parts: readonly A[], ArrayType: new (length: number) => A): A {
  const out = new ArrayType(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
