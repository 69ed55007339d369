import { parentPort } from 'node:worker_threads';

// Squares a Float32Array sent to it and transfers the result back: exercises a TypeScript worker
// entry with typed-array transfer, as the FD and ONNX workers use them.
parentPort!.on('message', (values: Float32Array) => {
  const squared: Float32Array = values.map((v) => v * v);
  parentPort!.postMessage(squared, [squared.buffer as ArrayBuffer]);
});
