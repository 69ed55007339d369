/** How far a piece of long work has come. `total` may be 0 while it is still unknown. */
export interface Progress {
  done: number;
  total: number;
  /** What `done` and `total` count: 'bytes', 'traces', 'samples', 'shots', 'steps'. */
  unit?: string;
  message?: string;
}

export type ProgressListener = (progress: Progress) => void;

/** Options every long-running core function accepts. */
export interface WorkOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Non-fatal findings a user should see (a conversion, a guessed value). */
  onNotice?: (message: string) => void;
}

/** Calls `listener` at most once per `intervalMs`, always letting the final (done === total) update through. */
export function throttleProgress(listener: ProgressListener, intervalMs = 100): ProgressListener {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    const finished = progress.total > 0 && progress.done >= progress.total;
    if (finished || now - last >= intervalMs) {
      last = now;
      listener(progress);
    }
  };
}
