import type { CliIo } from './command.ts';
import type { Project } from '../core/store/project.ts';
import { OnnxSessionPool } from '../core/ml/onnxPool.ts';
import { positiveInteger } from './physicsArgs.ts';

/** One ONNX worker with --threads intra-op threads (default 1); notices go to stderr. */
export function cliOnnxPool(threads: unknown, io: CliIo): OnnxSessionPool {
  return new OnnxSessionPool({ workers: 1, intraOpThreads: positiveInteger(threads, 'threads', 1), onNotice: (m) => io.stderr.write(`note: ${m}\n`) });
}

/** Runs `work` with the project of --project DIR open (for 'project:ID' model references), or null; always closes it. */
export async function withModelProject<T>(projectFolder: string | undefined, work: (project: Project | null) => Promise<T>): Promise<T> {
  if (!projectFolder) return work(null);
  const { Project } = await import('../core/store/project.ts');
  // Models are only read: no write lock, nothing written (a studio may hold the project).
  const project = Project.open(projectFolder, { readOnly: true });
  try {
    return await work(project);
  } finally {
    project.close();
  }
}
