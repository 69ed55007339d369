/** DOM side of the plot pipeline: RGBA pixels (from plot/image.ts) into a canvas that can be drawn scaled. */

export function rgbaToCanvas(rgba: Uint8ClampedArray, cols: number, rows: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, cols);
  canvas.height = Math.max(1, rows);
  const ctx = canvas.getContext('2d');
  if (ctx && cols > 0 && rows > 0) ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, cols, rows), 0, 0);
  return canvas;
}
