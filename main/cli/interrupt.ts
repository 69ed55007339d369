const controller = new AbortController();

/** Fires on the first Ctrl-C; long commands pass it to the core so work stops between units. */
export const cliAbortSignal: AbortSignal = controller.signal;

let installed = false;
export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping after the current unit of work (Ctrl-C again to quit at once)…\n');
    controller.abort();
  });
}
