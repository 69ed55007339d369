/**
 * The fuzzer's executor: a child process (started by fuzz.ts under `ulimit -d` and a V8 heap limit) that
 * runs one target's inputs one at a time and answers each with the property's violations and the bytes
 * the input allocated. A hang or a death of this process is observed, and attributed, by the parent.
 *
 * Messages in: `{ id, inputPath }`. Out: `{ ready: true }` once, then `{ id, violations, allocatedBytes, allocationHow }`;
 * `{ id, fatal }` just before exiting on an uncaught exception or unhandled rejection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TARGETS, type RunContext, type TargetName } from './targets/index.ts';
import { stepCounts } from './targets/target.ts';
import { allocationBound, startAllocationProbe, summarise, type Violation } from './property.ts';
import { startServerHarness, type ServerHarness } from './serverHarness.ts';

export interface ExecutorRequest {
  id: number;
  inputPath: string;
}

export type ExecutorReply =
  | { ready: true }
  | { id: number; violations: Violation[]; allocatedBytes: number; allocationHow: string; results: number; refusals: number }
  | { id: number; fatal: string };

const targetName = process.argv[2] as TargetName;
const target = TARGETS[targetName];
if (!target || !process.send) {
  process.stderr.write(`fuzz executor: unknown target ${JSON.stringify(targetName)}, or not started by fuzz.ts (no IPC channel)\n`);
  process.exit(2);
}
const send = (reply: ExecutorReply) => process.send!(reply);

// The parent names the scratch folder (and removes it, also after killing this process on a hang).
const workDir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), `wavediff-fuzz-${targetName}-`));
fs.mkdirSync(workDir, { recursive: true });
let harness: Promise<ServerHarness> | null = null;
const context: RunContext = {
  workDir,
  server: () => (harness ??= startServerHarness(path.join(workDir, 'server'))),
};

let current = -1;
const fatal = (error: unknown) => {
  const summary = summarise(error);
  send({ id: current, fatal: `${summary.name}${summary.code ? ` (${summary.code})` : ''}: ${summary.message}${summary.stack ? `\n${summary.stack}` : ''}` });
  fs.rmSync(workDir, { recursive: true, force: true });
  process.exit(70);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.on('disconnect', () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  process.exit(0);
});

/** An allocation that failed inside the reader is a runaway allocation, whatever error carried it. */
const ALLOCATION_FAILURE = /Array buffer allocation failed|ERR_BUFFER_TOO_LARGE|ERR_MEMORY_ALLOCATION_FAILED|Invalid typed array length|Invalid array buffer length|Cannot create a Buffer larger/;

process.on('message', async (request: ExecutorRequest) => {
  current = request.id;
  const inputBytes = fs.statSync(request.inputPath).size;
  const probe = startAllocationProbe(request.id % 64 === 0);
  const before = { ...stepCounts };
  let violations: Violation[];
  try {
    violations = await target.run(request.inputPath, context);
  } catch (error) {
    const summary = summarise(error);
    violations = [{ kind: 'crash', step: 'harness', reason: `the target's run threw ${summary.name}: ${summary.message}${summary.stack ? `\n${summary.stack}` : ''}` }];
  }
  const allocation = probe.finish();
  for (const violation of violations) if (violation.kind === 'crash' && ALLOCATION_FAILURE.test(violation.reason)) violation.kind = 'alloc';
  const bound = allocationBound(inputBytes, target.allocationFactor);
  if (allocation.bytes > bound) {
    violations.push({
      kind: 'alloc',
      step: 'whole input',
      reason: `${(allocation.bytes / 2 ** 20).toFixed(1)} MiB allocated (${allocation.how}) for a ${inputBytes}-byte input; the bound is ${target.allocationFactor} × input + 64 MiB = ${(bound / 2 ** 20).toFixed(1)} MiB`,
    });
  }
  send({ id: request.id, violations, allocatedBytes: allocation.bytes, allocationHow: allocation.how, results: stepCounts.results - before.results, refusals: stepCounts.refusals - before.refusals });
});

if (targetName === 'http' || targetName === 'ws') await context.server();
send({ ready: true });
