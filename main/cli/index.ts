import { runCli } from './main.ts';
import { installInterruptHandler } from './interrupt.ts';

installInterruptHandler();
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  interactive: Boolean(process.stderr.isTTY),
});
