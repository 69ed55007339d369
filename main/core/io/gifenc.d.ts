/** The part of gifenc (pure-JS GIF encoder, CommonJS) the studio uses; the package ships no types. */
declare module 'gifenc' {
  /** Colours as [r, g, b] bytes. */
  export type GifPalette = number[][];
  export interface GifFrameOptions {
    palette?: GifPalette;
    /** With auto: false, the frame that writes the logical screen and global colour table. */
    first?: boolean;
    /** Milliseconds, stored in hundredths of a second. */
    delay?: number;
    /** 0 loops for ever, -1 plays once. */
    repeat?: number;
  }
  export interface GifEncoder {
    writeHeader(): void;
    writeFrame(index: Uint8Array, width: number, height: number, options?: GifFrameOptions): void;
    finish(): void;
    bytesView(): Uint8Array;
  }
  const gifenc: {
    GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): GifEncoder;
    quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number): GifPalette;
    applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: GifPalette): Uint8Array;
  };
  export default gifenc;
}
